#!/usr/bin/env node
// A throwaway PostgreSQL server for the integration tier (test/setup/int-global-setup.js),
// also usable by hand: `node scripts/pg-test-server.js start` prints the env to export,
// `node scripts/pg-test-server.js stop BASEDIR` stops it. Plain CommonJS: jest loads the
// global setup before any transform is guaranteed.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const PREFIX = 'authtrail-pg-';
const PREFERRED_MAJOR = '15';

function findBinDir() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const majors = fs
    .readdirSync(root)
    .filter(
      (v) =>
        fs.existsSync(path.join(root, v, 'bin', 'initdb')) &&
        fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')),
    )
    .sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) return null;
  const major = majors.includes(PREFERRED_MAJOR) ? PREFERRED_MAJOR : majors[0];
  return path.join(root, major, 'bin');
}

function ensureBinaries() {
  let bin = findBinDir();
  if (bin) return bin;
  if (process.env.CI) {
    process.stderr.write(
      'pg-test-server: PostgreSQL binaries missing, installing postgresql-15 (CI)\n',
    );
    try {
      execFileSync('apt-get', ['update'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', 'postgresql-15'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (e) {
      throw new Error(`pg-test-server: apt-get install postgresql-15 failed: ${e.message}`);
    }
    bin = findBinDir();
  }
  if (!bin) {
    throw new Error(
      'pg-test-server: no PostgreSQL binaries under /usr/lib/postgresql/*/bin. Install them ' +
        '(apt-get install -y postgresql-15) or set AUTHTRAIL_TEST_PG_URL to a server the tests may use. ' +
        'The integration tier does not skip PostgreSQL tests.',
    );
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (the server refuses root). */
function runPg(bin, tool, args) {
  const file = path.join(bin, tool);
  const [cmd, argv] = isRoot()
    ? ['runuser', ['-u', 'postgres', '--', file, ...args]]
    : [file, args];
  try {
    return execFileSync(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
  } catch (e) {
    throw new Error(
      `pg-test-server: ${tool} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`,
    );
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Stops servers left behind by a test run that was killed (its owner process is gone). */
function cleanStale(bin) {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const base = path.join(os.tmpdir(), name);
    let owner;
    try {
      owner = Number(fs.readFileSync(path.join(base, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!owner || alive(owner)) continue;
    try {
      runPg(bin, 'pg_ctl', ['-D', path.join(base, 'data'), '-m', 'immediate', 'stop']);
    } catch {
      // not running
    }
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/**
 * Starts a server on 127.0.0.1 and a free port, in a new temp directory.
 * @returns {{ url: string, dataDir: string, baseDir: string, bin: string }}
 */
async function startPgTestServer() {
  const bin = ensureBinaries();
  cleanStale(bin);
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(baseDir, 'owner.pid'), String(process.pid));
  const dataDir = path.join(baseDir, 'data');
  const sockDir = path.join(baseDir, 'sock');
  fs.mkdirSync(sockDir);
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(baseDir, uid, gid);
    fs.chownSync(sockDir, uid, gid);
  }
  runPg(bin, 'initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-locale',
  ]);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      runPg(bin, 'pg_ctl', [
        '-D',
        dataDir,
        '-l',
        path.join(baseDir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${sockDir} -c fsync=off -c max_connections=200`,
      ]);
      return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, baseDir, bin };
    } catch (e) {
      // Another process may have taken the port between our probe and the bind.
      lastError = e;
    }
  }
  let log = '';
  try {
    log = fs.readFileSync(path.join(baseDir, 'server.log'), 'utf8').slice(-2000);
  } catch {
    // no log
  }
  fs.rmSync(baseDir, { recursive: true, force: true });
  throw new Error(`${lastError.message}\n${log}`);
}

function stopPgTestServer(server) {
  try {
    runPg(server.bin, 'pg_ctl', ['-D', server.dataDir, '-m', 'fast', '-w', 'stop']);
  } finally {
    fs.rmSync(server.baseDir, { recursive: true, force: true });
  }
}

module.exports = { startPgTestServer, stopPgTestServer, findBinDir };

if (require.main === module) {
  const [cmd, baseDir] = process.argv.slice(2);
  if (cmd === 'start') {
    startPgTestServer().then(
      (s) => {
        // Started by hand: no owner process, so stale cleanup of test runs never stops it.
        fs.writeFileSync(path.join(s.baseDir, 'owner.pid'), 'manual');
        process.stdout.write(
          `export AUTHTRAIL_TEST_PG_URL=${s.url}\nexport AUTHTRAIL_TEST_PG_DATA=${s.dataDir}\n# stop: node scripts/pg-test-server.js stop ${s.baseDir}\n`,
        );
      },
      (e) => {
        process.stderr.write(`${e.message}\n`);
        process.exit(1);
      },
    );
  } else if (cmd === 'stop' && baseDir) {
    stopPgTestServer({ bin: ensureBinaries(), dataDir: path.join(baseDir, 'data'), baseDir });
  } else {
    process.stderr.write('usage: pg-test-server.js start | stop BASEDIR\n');
    process.exit(2);
  }
}
