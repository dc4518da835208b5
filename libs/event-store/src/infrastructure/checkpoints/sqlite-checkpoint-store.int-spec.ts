import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointStoreContract } from '@authtrail/testing';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store.adapter';

checkpointStoreContract('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-cp-'));
  const file = join(dir, 'checkpoints.db');
  return Promise.resolve({
    // Each open is the file opened again, as after a restart.
    open: () => Promise.resolve(new SqliteCheckpointStore(file)),
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});
