import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { SqliteEventStore } from '@authtrail/event-store';
import { request } from '../support/test-server';
import { CLI, startServe } from '../support/serve-process';

describe('crash while producers stream batches', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every acknowledged batch exactly once after SIGKILL and restart', async () => {
    expect(existsSync(CLI)).toBe(true);
    const first = await startServe(dataDir);
    expect((await request(first.url, 'POST', '/v1/tenant/opt-in')).status).toBe(200);
    const producer = (
      await request(first.url, 'POST', '/v1/keys', { body: { roles: ['producer'] } })
    ).json.key as string;

    const acknowledged: string[][] = [];
    const sent: string[][] = [];
    let killed = false;
    const client = async () => {
      while (!killed) {
        const batch = Array.from({ length: 100 }, () =>
          exampleEvent('mfa.AuthenticationAttempted', { eventId: randomUUID() }),
        );
        const ids = batch.map((e) => e.eventId);
        sent.push(ids);
        try {
          const res = await request(first.url, 'POST', '/v1/events', {
            key: producer,
            body: batch,
          });
          if (res.status === 202) acknowledged.push(ids);
        } catch {
          return; // connection cut by the kill
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    killed = true;
    first.child.kill('SIGKILL');
    await Promise.all(clients);
    await first.exited;
    expect(acknowledged.length).toBeGreaterThan(2);

    // Restart on the same data: the server comes up and keeps accepting.
    const second = await startServe(dataDir);
    try {
      const again = await request(second.url, 'POST', '/v1/events', {
        key: producer,
        body: [exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() })],
      });
      expect(again.status).toBe(202);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }

    const store = SqliteEventStore.open(join(dataDir, 'events.db'));
    try {
      const all = await store.readAll({ after: 0, limit: 1_000_000 });
      const counts = new Map<string, number>();
      for (const e of all) counts.set(e.eventId, (counts.get(e.eventId) ?? 0) + 1);
      for (const batch of acknowledged) for (const id of batch) expect(counts.get(id)).toBe(1);
      // Nothing appears twice, acknowledged or not, and positions are gapless and ordered.
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      all.forEach((e, i) => expect(e.position).toBeGreaterThan(i === 0 ? 0 : all[i - 1].position));
      // Every batch is all or nothing.
      for (const batch of sent) {
        const present = batch.filter((id) => counts.has(id)).length;
        expect([0, batch.length]).toContain(present);
      }
    } finally {
      await store.close();
    }
  }, 90_000);
});
