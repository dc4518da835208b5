/**
 * Memory defaults of `authtrail serve` (issue #15: peak RSS < 768 MiB under the benchmark's
 * ingest load; it was ~1,090 MiB). They can only be set before the process starts — glibc
 * reads its malloc tunables and V8 sizes its young generation when they initialise — so
 * `serve` replaces itself once (execve: same pid, same stdio) with them in place. Each is
 * a default: a variable or flag the user set wins, and once all are in place (after the
 * relaunch, or when the user set them all) nothing happens.
 *
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (event loop, SQLite
 *   writer thread, libuv pool, the chdb addon's query threads) an arena of its own, up to
 *   8 per core, and the freed memory stays in each.
 * - `MALLOC_MMAP_THRESHOLD_=65536`: blocks of 64 KiB and more (each socket read's buffer,
 *   request bodies, query results copied out of ClickHouse) get a mapping of their own,
 *   unmapped when freed, instead of the brk heap, which glibc's sliding threshold (up to
 *   32 MiB) would otherwise let them grow and fragment. Setting it stops the sliding.
 * - No jemalloc setting: the embedded ClickHouse (`libchdb.so`) is built without jemalloc
 *   (`mallocx` is an undefined weak symbol, no `MALLOC_CONF` parser in it), so its
 *   allocations are glibc's and the two settings above govern them too.
 * - `--max-semi-space-size=8`: without pointer compression (Node's builds) V8 grows each
 *   of the two semi-spaces of a young generation to 64 MiB — 128 MiB resident for the
 *   event loop's isolate and again for the SQLite writer thread's. 8 MiB each is 16 MiB;
 *   the parse + validate + seal limit measured the same CPU per event (107–113 µs against
 *   111–122 µs).
 */

const SEMI_SPACE_FLAG = '--max-semi-space-size';
const SEMI_SPACE_MIB = 8;

export const ENV_DEFAULTS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '65536',
};

export interface Launch {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  /** process.argv: [node, script, ...args]. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The argv and environment to relaunch with, or null when every default is already in
 * effect (or set otherwise by the user).
 */
export function relaunchPlan(
  launch: Launch,
): { readonly args: string[]; readonly env: Record<string, string> } | null {
  const missingEnv = Object.entries(ENV_DEFAULTS).filter(([k]) => launch.env[k] === undefined);
  const nodeOptions = launch.env.NODE_OPTIONS ?? '';
  const hasSemiSpace =
    launch.execArgv.some(
      (a) => a.startsWith(SEMI_SPACE_FLAG) || a.startsWith('--max_semi_space_size'),
    ) || /--max[-_]semi[-_]space[-_]size/.test(nodeOptions);
  if (missingEnv.length === 0 && hasSemiSpace) return null;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(launch.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of missingEnv) env[k] = v;
  const flags = hasSemiSpace ? [] : [`${SEMI_SPACE_FLAG}=${SEMI_SPACE_MIB}`];
  return {
    args: [launch.execPath, ...flags, ...launch.execArgv, ...launch.argv.slice(1)],
    env,
  };
}

/** Replaces this process with itself under the memory defaults, where the platform can. */
export function applyMemoryDefaults(): void {
  // Linux only: the tunables are glibc's, and execve keeps the pid a supervisor watches.
  if (process.platform !== 'linux' || typeof process.execve !== 'function') return;
  const plan = relaunchPlan({
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    // Not configuration: the whole environment is handed on to the relaunched process.
    // eslint-disable-next-line no-restricted-syntax
    env: process.env,
  });
  if (plan === null) return;
  try {
    process.execve(process.execPath, plan.args, plan.env);
  } catch {
    // Not replaced (e.g. a sandbox refusing execve): run on, without the defaults.
  }
}

/** `authtrail serve` only: the other commands are short-lived or talk to a server over HTTP. */
export function applyMemoryDefaultsToServe(argv: readonly string[] = process.argv): void {
  if (argv[2] === 'serve') applyMemoryDefaults();
}
