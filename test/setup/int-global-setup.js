// Starts what the integration tier needs and stops it in int-global-teardown.js.
// PostgreSQL: AUTHTRAIL_TEST_PG_URL when given, else a throwaway server (scripts/pg-test-server.js).
// Values put in process.env here are inherited by the jest workers.
const { startPgTestServer } = require('../../scripts/pg-test-server');
// Kafka: KAFKA_BROKERS when given, else kmock (test/setup/kmock.js).
const { startKmockForTests } = require('./kmock');

module.exports = async () => {
  await startKmockForTests();
  if (process.env.AUTHTRAIL_TEST_PG_URL) return;
  const server = await startPgTestServer();
  globalThis.__AUTHTRAIL_PG_SERVER__ = server;
  process.env.AUTHTRAIL_TEST_PG_URL = server.url;
  process.env.AUTHTRAIL_TEST_PG_DATA = server.dataDir;
};
