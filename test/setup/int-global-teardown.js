// Stops what int-global-setup.js started (only that: an external AUTHTRAIL_TEST_PG_URL is left alone).
const { stopPgTestServer } = require('../../scripts/pg-test-server');
const { stopKmockForTests } = require('./kmock');

module.exports = async () => {
  await stopKmockForTests();
  const server = globalThis.__AUTHTRAIL_PG_SERVER__;
  if (!server) return;
  globalThis.__AUTHTRAIL_PG_SERVER__ = undefined;
  delete process.env.AUTHTRAIL_TEST_PG_URL;
  delete process.env.AUTHTRAIL_TEST_PG_DATA;
  stopPgTestServer(server);
};
