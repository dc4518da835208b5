import { setPriority } from 'node:os';

/**
 * Lowers the priority of the calling thread, and so of the threads it creates from now on,
 * to `nice` (issue #15). `serve` calls it on the API's event loop once the workers' thread
 * runs: the SQLite writer thread, created at the first append, inherits it, while the
 * workers' thread and the ClickHouse threads it created keep theirs. On a saturated machine
 * the scheduler then gives the workers the CPU they need and ingest the rest, instead of an
 * equal share that lets the reports fall behind ingest; idle cores are used either way.
 * Within a container (a cgroup) it weighs only the container's own threads.
 *
 * Linux only: there a nice value belongs to one thread (setpriority on the calling thread);
 * elsewhere it is the whole process's, workers included, so nothing is done. Raising a
 * nice value needs no privilege. Returns what was done, for the start-up log.
 */
export function lowerApiPriority(
  nice: number,
  platform: NodeJS.Platform = process.platform,
  set: (priority: number) => void = (priority) => setPriority(priority),
): { readonly nice: number } | { readonly skipped: string } {
  if (nice === 0) return { skipped: 'AUTHTRAIL_API_NICE=0' };
  if (platform !== 'linux') return { skipped: `per-thread priorities need Linux (${platform})` };
  try {
    set(nice);
    return { nice };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}
