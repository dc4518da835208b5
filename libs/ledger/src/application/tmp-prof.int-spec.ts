import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, dataStream, newSystemEvent } from '@authtrail/event-store';
import { LedgerVerifier } from '../domain/ledger-verifier';
import { Sealer } from './sealer';
import { LedgerService } from './ledger.service';
import { SqliteCheckpointStore } from '@authtrail/event-store';
import { randomIds } from '@authtrail/platform';
import { loadOrCreateSealKey } from '../infrastructure/seal-key.loader';

it('profiles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prof-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  const key = loadOrCreateSealKey(join(dir, 'seal.key'));
  for (let i = 0; i < 200_000; i += 1000) {
    const events = Array.from({ length: 1000 }, (_, j) => newSystemEvent({ eventId: randomUUID(), tenantId: 'a', type: 't', now: new Date(), data: { i: i + j, padding: 'x'.repeat(900) } }));
    await store.append('a', [{ streamId: dataStream('a', 'sspr', 's'), expectedRevision: 'any', events }]);
  }
  let t = Date.now();
  const all = [];
  for (let after = 0; ; ) {
    const b = await store.readAll({ after, limit: 5000 });
    if (b.length === 0) break;
    all.push(...b);
    after = b[b.length - 1].position;
  }
  const read = Date.now() - t;
  t = Date.now();
  for (const e of all) createHash('sha256').update(e.data).digest('hex');
  const hash = Date.now() - t;
  t = Date.now();
  const v = new LedgerVerifier(key);
  for (const e of all) v.add(e);
  const add = Date.now() - t;
  process.stdout.write(`200k: read ${read} ms, hash ${hash} ms, verifier.add ${add} ms\n`);
  t = Date.now();
  {
    const db = new Database(join(dir, 'events.db'), { readonly: true });
    const st = db.prepare('SELECT position, tenant_id, stream_id, data, hash FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    let c = 0;
    for (let after = 0; ; ) {
      const rows = st.all(after, 5000) as unknown[][];
      if (rows.length === 0) break;
      for (const r of rows) { createHash('sha256').update(r[3] as Buffer).digest('hex'); c++; }
      after = rows[rows.length - 1][0] as number;
    }
    db.close();
    process.stdout.write(`200k raw read+hash ${Date.now() - t} ms (${c})\n`);
  }
  t = Date.now();
  const checkpoints = new SqliteCheckpointStore(join(dir, 'cp.db'));
  await new Sealer({ store, checkpoints, key, clock: { now: () => new Date() }, ids: randomIds }).sealOnce();
  const seal = Date.now() - t;
  t = Date.now();
  const r = await new LedgerService(store, key).verify();
  const ver = Date.now() - t;
  process.stdout.write(`200k: seal ${seal} ms, verify ${ver} ms ok=${r.ok}\n`);
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);
