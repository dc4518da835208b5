import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBytesInFiles, publishedSubjectsContract } from '@authtrail/testing';
import { SqlitePublishedSubjectsStore } from './sqlite-published-subjects.adapter';

publishedSubjectsContract('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-siem-subjects-'));
  const opened: SqlitePublishedSubjectsStore[] = [];
  return Promise.resolve({
    open: () => {
      const store = new SqlitePublishedSubjectsStore(join(dir, 'siem-subjects.db'));
      opened.push(store);
      return Promise.resolve(store);
    },
    // The database file and its WAL: both must be free of a forgotten person.
    filesContaining: (needles) =>
      Promise.resolve([...new Set(findBytesInFiles(dir, needles).map((h) => h.needle))]),
    dispose: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});
