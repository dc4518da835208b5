import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The first fenced `sh` block under README.md's "## Quick start". */
function quickStartBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Quick start\n')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under ## Quick start');
  return block;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/**
 * README's Quick start, run as it stands by bash -e from the repository root, on a fresh
 * data dir and a free port (the block reads AUTHTRAIL_PORT; the server AUTHTRAIL_DATA_DIR).
 * Needs `npm run build` (the block serves from dist, as `npm run authtrail` does).
 */
describe("README's Quick start", () => {
  it('runs as written: the server starts, the examples are accepted, a report answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-quick-start-'));
    const port = await freePort();
    const child = spawn('bash', ['-e', '-c', quickStartBlock()], {
      cwd: ROOT,
      detached: true,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AUTHTRAIL_PORT: String(port),
        AUTHTRAIL_HOST: '127.0.0.1',
        AUTHTRAIL_DATA_DIR: dataDir,
        AUTHTRAIL_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(`${code}\n${out}`).toMatch(/^0\n/);
      expect(out).toContain('{"accepted":13,"duplicates":0}');
      expect(out).toMatch(/\{"count":\d+\}/);
    } finally {
      // The block leaves the server running in the background, as a reader's shell would.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 1_000));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
