// Stops what int-global-setup.js started (only that: an external AUTHTRAIL_TEST_PG_URL is left alone).
const { stopPgTestServer } = require('../../scripts/pg-test-server');

module.exports = async () => {
  const server = globalThis.__AUTHTRAIL_PG_SERVER__;
  if (!server) return;
  globalThis.__AUTHTRAIL_PG_SERVER__ = undefined;
  delete process.env.AUTHTRAIL_TEST_PG_URL;
  delete process.env.AUTHTRAIL_TEST_PG_DATA;
  stopPgTestServer(server);
};
