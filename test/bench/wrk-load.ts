/**
 * One event per request from an efficient external load generator (issue #15): `wrk`
 * (Debian's, C, two threads) with a Lua script that cycles through prebuilt request bodies
 * and gives each request a fresh event id, so every request is a new event. The Node
 * client of serve-phases shares the cores with the server and costs more per request than
 * the server's own HTTP stack; wrk shows what the server does.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProducerEvent } from '@authtrail/catalog';
import type { LoadResult } from '../../apps/cli/src/commands/bench-http';

const EVENT_ID_HOLE = '00000000-0000-4000-8000-000000000000';

/** The path of `wrk`, installing Debian's package when it is missing; null (with why) when neither works. */
export function ensureWrk(log: (line: string) => void): { path: string } | { skipped: string } {
  const which = (): string | null => {
    try {
      return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  };
  const found = which();
  if (found) return { path: found };
  if (process.getuid?.() !== 0)
    return { skipped: 'wrk is not installed and the bench is not root (apt-get install -y wrk)' };
  log('wrk is missing: apt-get install -y wrk…');
  try {
    execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'ignore', timeout: 180_000 });
  } catch (e) {
    return { skipped: `wrk is not installed and apt-get install -y wrk failed (${String(e)})` };
  }
  const installed = which();
  return installed ? { path: installed } : { skipped: 'apt-get install -y wrk did not give wrk' };
}

/**
 * The Lua script: each wrk thread gets its own id prefix (random per run, so a second run
 * against the same server sends new ids too) and a counter; a request is a prebuilt body
 * (one event, as a JSON array) with the counter spliced into its event id.
 */
function luaScript(bodiesFile: string, key: string): string {
  return `
local bodies = {}
for line in io.lines(${JSON.stringify(bodiesFile)}) do
  local hole = line:find(${JSON.stringify(EVENT_ID_HOLE)}, 1, true)
  bodies[#bodies + 1] = { line:sub(1, hole - 1), line:sub(hole + ${EVENT_ID_HOLE.length}) }
end
math.randomseed(os.time())
local threads = {}
local counter = 0
local prefix = 0

function setup(thread)
  thread:set("thread_prefix", math.random(0, 0xfffffff) * 16 + #threads)
  table.insert(threads, thread)
end

function init(args)
  prefix = thread_prefix
  wrk.method = "POST"
  wrk.headers["content-type"] = "application/json"
  wrk.headers["authorization"] = "Bearer ${key}"
end

function request()
  counter = counter + 1
  local b = bodies[(counter % #bodies) + 1]
  local id = string.format("%08x-%04x-4%03x-8%03x-%012x", prefix, math.floor(counter / 0x1000000) % 0x10000, math.floor(counter / 0x1000) % 0x1000, counter % 0x1000, counter)
  return wrk.format(nil, "/v1/events", nil, b[1] .. id .. b[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency.max))
end
`;
}

/** `wrk -t2 -c<connections> -d<seconds>s` against POST /v1/events, one fresh event per request. */
export async function wrkLoad(options: {
  readonly wrk: string;
  readonly url: string;
  readonly key: string;
  readonly connections: number;
  readonly seconds: number;
  readonly pool: readonly ProducerEvent[];
}): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-wrk-'));
  try {
    const bodies = options.pool.map((e) => JSON.stringify([{ ...e, eventId: EVENT_ID_HOLE }]));
    const bodiesFile = join(dir, 'bodies.ndjson');
    writeFileSync(bodiesFile, `${bodies.join('\n')}\n`);
    const script = join(dir, 'events.lua');
    writeFileSync(script, luaScript(bodiesFile, options.key));
    const { code, out } = await runWrk(options.wrk, [
      '-t2',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      options.url,
    ]);
    const m = /WRK_RESULT ((?:\d+ ?){10})/.exec(out);
    if (code !== 0 || !m) throw new Error(`wrk exited with code ${code}: ${out.slice(-500)}`);
    const [requests, durationUs, connect, read, write, status, timeout, p50, p95, max] = m[1]
      .trim()
      .split(' ')
      .map(Number);
    const errors = connect + read + write + status + timeout;
    const ok = requests - status;
    const seconds = durationUs / 1e6;
    const eventBytes =
      bodies.reduce((n, b) => n + Buffer.byteLength(b) - 2, 0) / Math.max(1, bodies.length);
    return {
      batch: 1,
      clients: options.connections,
      seconds,
      requests,
      events: ok,
      eventsPerSecond: ok / seconds,
      p50: p50 / 1000,
      p95: p95 / 1000,
      max: max / 1000,
      errors,
      firstError:
        errors === 0
          ? null
          : `wrk: ${status} non-2xx answers, ${connect}/${read}/${write}/${timeout} connect/read/write/timeout errors`,
      eventBytes,
      perSecond: [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `wrk -t2 -c<connections> -d<seconds>s` GETs of one authenticated path: what the HTTP
 * stack, authentication and routing alone cost per request (the ceiling of any endpoint,
 * `POST /v1/events` included). Returns requests/s; throws when an answer was not 2xx.
 */
export async function wrkGet(options: {
  readonly wrk: string;
  readonly url: string;
  readonly path: string;
  readonly key: string;
  readonly connections: number;
  readonly seconds: number;
}): Promise<{ requests: number; seconds: number; requestsPerSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-wrk-get-'));
  try {
    const script = join(dir, 'get.lua');
    writeFileSync(script, `wrk.headers["authorization"] = "Bearer ${options.key}"\n`);
    const { code, out } = await runWrk(options.wrk, [
      '-t2',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '-s',
      script,
      `${options.url}${options.path}`,
    ]);
    if (code !== 0) throw new Error(`wrk exited with code ${code}: ${out}`);
    // "12345 requests in 5.00s, ..." (or "in 999.87ms")
    const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
    const requests = Number(m?.[1]);
    const seconds = Number(m?.[2]) / (m?.[3] === 'ms' ? 1000 : 1);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    if (!Number.isFinite(requests) || !(seconds > 0))
      throw new Error(`unreadable wrk output: ${out}`);
    if (non2xx) throw new Error(`GET ${options.path}: ${non2xx[1]} answers were not 2xx`);
    return { requests, seconds, requestsPerSecond: requests / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs wrk to its end; its stdout and stderr together, and its exit code. */
async function runWrk(
  wrk: string,
  args: readonly string[],
): Promise<{ code: number; out: string }> {
  const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((r) => child.once('close', (c) => r(c ?? -1)));
  return { code, out };
}
