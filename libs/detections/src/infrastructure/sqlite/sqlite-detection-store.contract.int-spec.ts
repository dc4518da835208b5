import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectionStoreContract } from '@authtrail/testing';
import { SqliteDetectionStore } from './sqlite-detection-store.adapter';

detectionStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-detections-contract-'));
  return Promise.resolve({
    open: () => Promise.resolve(new SqliteDetectionStore(join(dir, 'detections.db'))),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});
