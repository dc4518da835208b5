// kmock, the Kafka-protocol test broker in ../shared/tools/kmock (see its README), for the
// integration tier: built into .cache/kmock (skipped when up to date) and started once,
// unless KAFKA_BROKERS names a broker already. A build failure fails the run: Kafka tests
// are never skipped.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '../..');
const sharedDir = path.resolve(repoRoot, '../shared');
const kmockDir = path.join(sharedDir, 'tools/kmock');
const outDir = path.join(repoRoot, '.cache/kmock');

/** Builds kmock if needed and returns the binary's path; throws with the build's output on failure. */
function buildKmock() {
  const script = path.join(kmockDir, 'build.sh');
  if (!existsSync(script)) {
    throw new Error(
      `kmock: ${script} not found (expected ../shared beside the repository); set KAFKA_BROKERS to test against another broker`,
    );
  }
  try {
    // build.sh cds around: OUT_DIR and WORK must be absolute.
    execFileSync('bash', [script], {
      env: { ...process.env, OUT_DIR: outDir, WORK: path.join(outDir, 'build') },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    throw new Error(
      `kmock build failed (${path.join(kmockDir, 'build.sh')}):\n${out || e.message}`,
    );
  }
  const bin = path.join(outDir, 'kmock');
  if (!existsSync(bin)) throw new Error(`kmock build reported success but ${bin} is missing`);
  return bin;
}

/** Global setup: starts one kmock for all integration tests and exports KAFKA_BROKERS (inherited by jest workers). */
async function startKmockForTests() {
  if (process.env.KAFKA_BROKERS) return;
  const bin = buildKmock();
  const { startKmock } = require(path.join(kmockDir, 'start-kmock.js'));
  const broker = await startKmock(bin, ['-p', '3']);
  globalThis.__AUTHTRAIL_KMOCK__ = broker;
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  process.env.KMOCK_BIN = bin;
}

/** Global teardown: stops only what startKmockForTests started. */
async function stopKmockForTests() {
  const broker = globalThis.__AUTHTRAIL_KMOCK__;
  if (!broker) return;
  globalThis.__AUTHTRAIL_KMOCK__ = undefined;
  delete process.env.KAFKA_BROKERS;
  await broker.stop();
}

module.exports = { buildKmock, startKmockForTests, stopKmockForTests };
