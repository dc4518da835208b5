import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store.adapter';

describe('SqliteCheckpointStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-cp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts at 0, keeps positions per worker across reopen, and resets', async () => {
    const file = join(dir, 'checkpoints.db');
    const a = new SqliteCheckpointStore(file);
    expect(await a.load('projector')).toBe(0);
    await a.save('projector', 42);
    await a.save('forwarder', 7);
    await a.close();
    const b = new SqliteCheckpointStore(file);
    expect(await b.load('projector')).toBe(42);
    expect(await b.load('forwarder')).toBe(7);
    await b.reset('projector');
    expect(await b.load('projector')).toBe(0);
    await b.close();
  });
});
