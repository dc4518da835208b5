/**
 * The benchmark's data dirs, and what removing them costs the runs after.
 *
 * On ext4 without a journal (this VM's root file system), the inode allocator steps over
 * every inode freed in the last minute, or the last six while its inode-table block is
 * not yet written back (`recently_deleted`, fs/ext4/ialloc.c). Removing a data dir that
 * ClickHouse filled (tens of thousands of part files) therefore makes every file created
 * in the next minutes cost more. Measured: a one-row ClickHouse insert (a part, ~13 files)
 * took 10–12 ms of CPU, 8–10 of it in the kernel, within minutes of removing earlier
 * runs' dirs, and 2.9 ms (0.9 in the kernel) after seven quiet minutes. Whole runs moved
 * less and not always: single events 4,407/s quiet against 3,750/s right after a run that
 * removed its dir, but within the noise after a short run's 7,000 files.
 * ClickHouse's own clean-up of outdated parts, spread over time, does not cause it
 * (measured with `old_parts_lifetime` at 5 s: 1–2 ms in the kernel per part, flat).
 *
 * So the data dirs of one benchmark process are removed together when it ends (a phase
 * does not pay for the one before), and each removal is noted in the system's temporary
 * dir: the next run's heading says when a removal was recent enough to count.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** How long a removal weighs on file creation: the allocator's longest window (6 min). */
export const REMOVAL_WEIGHS_MS = 6 * 60_000;
/** Fewer files than this are not worth a word. */
const NOTABLE_FILES = 1000;

const MARKER = 'authtrail-bench-removed.json';

export interface RecentRemoval {
  readonly at: Date;
  readonly files: number;
}

const pending: string[] = [];

/** A new data dir under `parent` (the system's temporary dir). */
export function scratchDir(prefix: string, parent: string = tmpdir()): string {
  return mkdtempSync(join(parent, prefix));
}

/** A data dir done with: removed by `removeScratchDirs`, when the benchmark process ends. */
export function discardScratchDir(dir: string): void {
  pending.push(dir);
}

/**
 * Removes every discarded dir, and notes in `markerDir` (the system's temporary dir) how
 * many files went (`recentRemoval`).
 */
export function removeScratchDirs(
  now: () => Date = () => new Date(),
  markerDir: string = tmpdir(),
): number {
  let files = 0;
  for (const dir of pending.splice(0)) {
    files += countFiles(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  if (files >= NOTABLE_FILES) {
    writeFileSync(
      join(markerDir, MARKER),
      `${JSON.stringify({ at: now().toISOString(), files })}\n`,
    );
  }
  return files;
}

/** The last notable removal, when it is still within `REMOVAL_WEIGHS_MS` of `now`. */
export function recentRemoval(
  now: Date = new Date(),
  markerDir: string = tmpdir(),
): RecentRemoval | null {
  try {
    const raw = JSON.parse(readFileSync(join(markerDir, MARKER), 'utf8')) as {
      at?: unknown;
      files?: unknown;
    };
    const at = new Date(String(raw.at));
    const files = Number(raw.files);
    const age = now.getTime() - at.getTime();
    if (!Number.isFinite(age) || !Number.isFinite(files) || age < 0 || age > REMOVAL_WEIGHS_MS)
      return null;
    return { at, files };
  } catch {
    return null;
  }
}

/**
 * Whether `dir` is on ext4 without a journal (Linux; false where that cannot be read):
 * the file systems where `recentRemoval` matters.
 */
export function onExt4WithoutJournal(dir: string = tmpdir()): boolean {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter(
        (f) =>
          f.length >= 3 && (dir === f[1] || dir.startsWith(f[1].endsWith('/') ? f[1] : `${f[1]}/`)),
      )
      .sort((a, b) => b[1].length - a[1].length);
    const [device, , type] = mounts[0] ?? [];
    if (type !== 'ext4' || device === undefined) return false;
    const task = join('/sys/fs/ext4', basename(device), 'journal_task');
    return existsSync(task) && readFileSync(task, 'utf8').trim() === '<none>';
  } catch {
    return false;
  }
}

/**
 * One line for the heading when the last removal noted in `dir` (the system's temporary
 * dir, where the data dirs are) still weighs on this run, else null.
 */
export function removalWarning(now: Date = new Date(), dir: string = tmpdir()): string | null {
  const removal = recentRemoval(now, dir);
  if (removal === null || !onExt4WithoutJournal(dir)) return null;
  const seconds = Math.round((now.getTime() - removal.at.getTime()) / 1000);
  return (
    `note: a benchmark removed ${removal.files.toLocaleString('en-US')} files ${seconds} s before this run; ` +
    `on ext4 without a journal new files cost more for ${REMOVAL_WEIGHS_MS / 60_000} min after ` +
    '(ClickHouse parts up to ~4×): compare only runs that both follow one, or wait'
  );
}

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).length;
  } catch {
    return 0;
  }
}
