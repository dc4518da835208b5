import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REMOVAL_WEIGHS_MS,
  discardScratchDir,
  onExt4WithoutJournal,
  recentRemoval,
  removalWarning,
  removeScratchDirs,
  scratchDir,
} from './scratch-dirs';

describe('benchmark scratch dirs', () => {
  // The note of removals lives in the system's temporary dir: a private one for each test.
  let tmp: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'authtrail-scratch-spec-'));
  });

  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  const fill = (dir: string, files: number) => {
    mkdirSync(join(dir, 'part'), { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(join(dir, 'part', `f${i}`), '');
  };

  it('removes discarded dirs only when told, and notes a removal of many files', () => {
    const a = scratchDir('a-', tmp);
    const b = scratchDir('b-', tmp);
    fill(a, 700);
    fill(b, 400);
    discardScratchDir(a);
    discardScratchDir(b);
    expect(existsSync(a) && existsSync(b)).toBe(true);

    const at = new Date('2026-12-07T12:00:00Z');
    // 700 + 400 files and the two `part` dirs.
    expect(removeScratchDirs(() => at, tmp)).toBe(1102);
    expect(existsSync(a) || existsSync(b)).toBe(false);
    expect(JSON.parse(readFileSync(join(tmp, 'authtrail-bench-removed.json'), 'utf8'))).toEqual({
      at: at.toISOString(),
      files: 1102,
    });
    expect(recentRemoval(new Date(at.getTime() + 90_000), tmp)).toEqual({ at, files: 1102 });
    // Nothing is left to remove the second time.
    expect(removeScratchDirs(undefined, tmp)).toBe(0);
  });

  it('leaves no note for a few files', () => {
    const a = scratchDir('a-', tmp);
    fill(a, 10);
    discardScratchDir(a);
    expect(removeScratchDirs(undefined, tmp)).toBe(11);
    expect(existsSync(join(tmp, 'authtrail-bench-removed.json'))).toBe(false);
    expect(recentRemoval(new Date(), tmp)).toBeNull();
  });

  it('forgets a removal once it no longer weighs, and reads a bad note as none', () => {
    const at = new Date('2026-12-07T12:00:00Z');
    const marker = join(tmp, 'authtrail-bench-removed.json');
    writeFileSync(marker, JSON.stringify({ at: at.toISOString(), files: 30_000 }));
    expect(recentRemoval(new Date(at.getTime() + REMOVAL_WEIGHS_MS - 1), tmp)).not.toBeNull();
    expect(recentRemoval(new Date(at.getTime() + REMOVAL_WEIGHS_MS + 1), tmp)).toBeNull();
    expect(recentRemoval(new Date(at.getTime() - 1000), tmp)).toBeNull();
    writeFileSync(marker, '{"at": "yesterday"');
    expect(recentRemoval(at, tmp)).toBeNull();
  });

  it('warns only on ext4 without a journal, naming the files and how long ago', () => {
    const at = new Date('2026-12-07T12:00:00Z');
    writeFileSync(
      join(tmp, 'authtrail-bench-removed.json'),
      JSON.stringify({ at: at.toISOString(), files: 30_000 }),
    );
    const warning = removalWarning(new Date(at.getTime() + 95_000), tmp);
    if (onExt4WithoutJournal(tmp)) {
      expect(warning).toContain('removed 30,000 files 95 s before this run');
    } else {
      expect(warning).toBeNull();
    }
    expect(onExt4WithoutJournal('/proc')).toBe(false);
  });
});
