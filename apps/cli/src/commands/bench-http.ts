import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { exampleEvent, ProducerEvent } from '@authtrail/catalog';

/**
 * What the HTTP benchmarks share (`authtrail bench ingest` and `npm run bench`): a real
 * `authtrail serve` in a child process, the tenant's keys, a realistic event pool and
 * clients that drive load and time every request.
 */

export const BENCH_BOOTSTRAP_KEY = 'bench-bootstrap-key-0123456789abcdef';

export const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Person `i` of the pool of `makeEvents`, as the producer sends them. */
export function benchPerson(i: number): { userPrincipalName: string; displayName: string } {
  return {
    userPrincipalName: `bench.user${i}@contoso.example`,
    displayName: `Bench User ${i}`,
  };
}

const POOL_TYPES = [
  'sspr.PasswordResetSelfService',
  'sspr.ResetFlowProgressed',
  'mfa.AuthenticationAttempted',
  'sspr.PasswordResetByAdmin',
  'sspr.Registered',
] as const;

/**
 * A realistic mix: five producer types, a pool of people so subjects repeat. Event `i` is
 * about person `i % people` with type `i % 5`; as `people` is a multiple of 5, a person
 * always gets the same type (person 2, 7, … only MFA attempts, with no display name).
 */
export function makeEvents(n: number, people = 5000): ProducerEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const p = { ...benchPerson(i % people), role: 'User' };
    const type = POOL_TYPES[i % POOL_TYPES.length];
    if (type === 'mfa.AuthenticationAttempted')
      return exampleEvent(type, {
        eventId: randomUUID(),
        target: { userPrincipalName: p.userPrincipalName },
      });
    if (type === 'sspr.PasswordResetByAdmin') {
      return exampleEvent(type, {
        eventId: randomUUID(),
        actor: {
          userPrincipalName: `admin${i % 7}@contoso.example`,
          role: 'HelpdeskAdministrator',
        },
        target: p,
      });
    }
    return exampleEvent(type, { eventId: randomUUID(), actor: p, target: p });
  });
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
}

/**
 * Starts `node <mainJs> serve` on a loopback port with the embedded stores in `dataDir`.
 * Every `AUTHTRAIL_*` variable of `baseEnv` is dropped, so the bench always measures the
 * embedded default plus `env`; the per-key rate limit is lifted (it would cap the load).
 */
export async function startBenchServer(options: {
  readonly mainJs: string;
  readonly dataDir: string;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Node options before the script, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}): Promise<BenchServer> {
  const inherited = Object.fromEntries(
    Object.entries(options.baseEnv).filter(([k]) => !k.startsWith('AUTHTRAIL_')),
  );
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.mainJs, 'serve'], {
    env: {
      ...inherited,
      AUTHTRAIL_DATA_DIR: options.dataDir,
      AUTHTRAIL_PORT: '0',
      AUTHTRAIL_HOST: '127.0.0.1',
      AUTHTRAIL_BOOTSTRAP_KEY: BENCH_BOOTSTRAP_KEY,
      AUTHTRAIL_LOG_LEVEL: 'error',
      AUTHTRAIL_RATE_LIMIT_PER_SECOND: '1000000',
      AUTHTRAIL_RATE_LIMIT_BURST: '1000000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    // Keep reading stdout for the server's whole life: a full pipe would block it.
    child.stdout.on('data', (d: Buffer) => {
      if (out.length > 10_000) return;
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.once('exit', (c) => reject(new Error(`authtrail serve exited with code ${c}`)));
  });
  return { child, pid: child.pid!, url };
}

/** SIGTERM (graceful: in-flight appends finish, workers stop), SIGKILL after `timeoutMs`. */
export async function stopBenchServer(server: BenchServer, timeoutMs = 30_000): Promise<number> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number>((r) => server.child.once('exit', (c) => r(c ?? -1)));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface ApiAnswer {
  readonly status: number;
  readonly text: string;
}

/** One API call with a bearer key; the body is JSON (or a string sent as is). */
export async function callApi(
  url: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

export interface BenchKeys {
  readonly admin: string;
  readonly producer: string;
  readonly reader: string;
  readonly privacyAdmin: string;
}

/** Opts the default tenant in and creates one key per role the bench uses. */
export async function prepareTenant(url: string): Promise<BenchKeys> {
  const admin = BENCH_BOOTSTRAP_KEY;
  const optIn = await callApi(url, admin, 'POST', '/v1/tenant/opt-in');
  if (optIn.status !== 200) throw new Error(`opt-in failed: HTTP ${optIn.status} ${optIn.text}`);
  const key = async (role: string): Promise<string> => {
    const r = await callApi(url, admin, 'POST', '/v1/keys', {
      roles: [role],
      name: `bench-${role}`,
    });
    if (r.status >= 300) throw new Error(`creating a ${role} key failed: HTTP ${r.status}`);
    return (JSON.parse(r.text) as { key: string }).key;
  };
  return {
    admin,
    producer: await key('producer'),
    reader: await key('reader'),
    privacyAdmin: await key('privacy-admin'),
  };
}

export interface LoadResult {
  readonly batch: number;
  readonly clients: number;
  readonly seconds: number;
  readonly requests: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Request latency in ms (every request, accepted or not). */
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Answers other than 202 (and failed connections). */
  readonly errors: number;
  readonly firstError: string | null;
  /** Average size of one producer event in the request bodies (JSON bytes). */
  readonly eventBytes: number;
  /** Events accepted in each second of the run. */
  readonly perSecond: readonly number[];
}

/** Drives `clients` concurrent clients for `seconds`, each posting batches of `batch` fresh events. */
export async function driveLoad(options: {
  readonly url: string;
  readonly key: string;
  readonly batch: number;
  readonly clients: number;
  readonly seconds: number;
  readonly pool: readonly ProducerEvent[];
}): Promise<LoadResult> {
  const { url, key, batch, clients, seconds, pool } = options;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  let events = 0;
  let errors = 0;
  let firstError: string | null = null;
  let bodyBytes = 0;
  let sentEvents = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < until) {
      const body = JSON.stringify(
        Array.from({ length: batch }, () => ({
          ...pool[next++ % pool.length],
          eventId: randomUUID(),
        })),
      );
      bodyBytes += Buffer.byteLength(body);
      sentEvents += batch;
      const t0 = performance.now();
      let status = 0;
      let text = '';
      try {
        ({ status, text } = await callApi(url, key, 'POST', '/v1/events', body));
      } catch (e) {
        text = (e as Error).message;
      }
      const t1 = performance.now();
      latencies.push(t1 - t0);
      if (status === 202) {
        events += batch;
        const s = Math.floor((t1 - started) / 1000);
        perSecond[s] = (perSecond[s] ?? 0) + batch;
      } else {
        errors++;
        firstError ??= `HTTP ${status} ${text.slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (performance.now() - started) / 1000;
  return {
    batch,
    clients,
    seconds: elapsed,
    requests: latencies.length,
    events,
    eventsPerSecond: events / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: latencies.reduce((a, b) => Math.max(a, b), 0),
    errors,
    firstError,
    // Without each body's brackets and commas.
    eventBytes:
      sentEvents === 0 ? 0 : (bodyBytes - (sentEvents / batch) * (batch + 1)) / sentEvents,
    perSecond: Array.from(perSecond, (v) => v ?? 0),
  };
}

/** Current and peak resident set of a process, from /proc (Linux); null elsewhere. */
export function memoryOf(pid: number): {
  rssBytes: number;
  peakRssBytes: number;
  /** Of `rssBytes`: anonymous memory (heaps, stacks, caches). */
  rssAnonBytes: number;
  /** Of `rssBytes`: pages of mapped files (the binaries' and libraries' code and data). */
  rssFileBytes: number;
} | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return {
      rssBytes: kb('VmRSS'),
      peakRssBytes: kb('VmHWM'),
      rssAnonBytes: kb('RssAnon'),
      rssFileBytes: kb('RssFile'),
    };
  } catch {
    return null;
  }
}

/**
 * Resident bytes of the mappings of one file (by a part of its path, e.g. `libchdb.so`)
 * in a process, from /proc/<pid>/smaps (Linux); null elsewhere.
 */
export function mappedFileRssOf(pid: number, pathPart: string): number | null {
  try {
    let kib = 0;
    let inFile = false;
    for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.includes(pathPart);
      else if (inFile && line.startsWith('Rss:')) kib += Number(/(\d+) kB/.exec(line)?.[1] ?? 0);
    }
    return kib * 1024;
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) each live thread of a process used so far, by thread id,
 * with the thread's name (`comm`), from /proc (Linux); null elsewhere. Threads that have
 * exited are not listed (their time is in `cpuSecondsOf`).
 */
export function threadCpuOf(pid: number): Map<number, { name: string; seconds: number }> | null {
  try {
    const out = new Map<number, { name: string; seconds: number }>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
      } catch {
        // The thread exited between the listing and the read.
      }
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux); null elsewhere. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
