import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { AppConfig, loadConfig } from '@authtrail/config';
import { startSealer } from '../../apps/worker/src/sealer/sealer.job';
import { verifyLog } from '../../apps/cli/src/commands/verify.command';
import { CLI } from '../support/serve-process';
import { describeOnSqlite } from '../support/event-store-under-test';
import { BOOTSTRAP_KEY, TestServer, prepareTenant, startTestServer } from '../support/test-server';

const VERIFIER = join(__dirname, '../../tools/verify-export/verify.js');
// The e2e tier runs against the build (npm run test:e2e builds first); override to try another.
const CLI_MAIN = process.env.AUTHTRAIL_TEST_CLI ?? CLI;

const person = (i: number) => ({
  userPrincipalName: `ledger.person-${i}@contoso.example`,
  displayName: `Ledger Person ${i}`,
  role: 'User',
});
const batch = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    exampleEvent(i % 2 === 0 ? 'sspr.PasswordChanged' : 'sspr.Registered', {
      eventId: randomUUID(),
      actor: person((from + i) % 7),
      target: person((from + i) % 7),
    }),
  );

/** A copy of the stopped server's data dir, tampered with by someone with file access. */
function tampered(config: AppConfig, attack: (db: Database.Database) => void): AppConfig {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-tamper-'));
  for (const f of readdirSync(config.dataDir).filter((f) => f.startsWith('events.db')))
    copyFileSync(join(config.dataDir, f), join(dir, f));
  const db = new Database(join(dir, 'events.db'));
  // The attacker removes the append-only guards first.
  for (const { name } of db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    .all() as { name: string }[])
    db.exec(`DROP TRIGGER ${name}`);
  attack(db);
  db.close();
  // The seal key stays where it was: apart from the log, out of the attacker's reach.
  return loadConfig({ AUTHTRAIL_DATA_DIR: dir, AUTHTRAIL_SEAL_KEY_FILE: config.sealKeyFile });
}

describe('tamper evidence that survives erasure', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let acmeKey: string;
  let closed = false;
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-ledger-'));
  const dirs: string[] = [dataDir];

  beforeAll(async () => {
    server = await startTestServer({}, { dataDir });
    keys = await prepareTenant(server);
    const acme = await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } });
    acmeKey = acme.json.adminKey;
    await server.request('POST', '/v1/tenant/opt-in', { key: acmeKey });
    const producer = await server.request('POST', '/v1/keys', {
      key: acmeKey,
      body: { roles: ['producer'] },
    });
    // Two tenants interleaved in the global log, 300 events of default in several batches.
    for (let i = 0; i < 300; i += 100) {
      expect(
        (await server.request('POST', '/v1/events', { key: keys.producer, body: batch(i, 100) }))
          .status,
      ).toBe(202);
      await server.request('POST', '/v1/events', { key: producer.json.key, body: batch(i, 10) });
    }
  }, 60_000);
  afterAll(async () => {
    if (!closed) await server?.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  const seal = async () => {
    const job = startSealer(server.app);
    await job.stop(); // stop seals the tail
  };

  it('exports say pending before the sealer ran', async () => {
    const res = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person(1).userPrincipalName },
    });
    expect(res.status).toBe(200);
    expect(res.json.events.length).toBeGreaterThan(0);
    for (const e of res.json.events) expect(e.proof.status).toBe('pending');
  });

  it('seals each tenant, and GET /v1/ledger/verify passes for any role of the tenant, own chain only', async () => {
    await seal();
    const verify = await server.request('GET', '/v1/ledger/verify', { key: keys.reader });
    expect(verify.status).toBe(200);
    expect(verify.json).toMatchObject({ ok: true, tenantId: 'default', firstDisagreement: null });
    expect(verify.json.tenants).toEqual([
      expect.objectContaining({ tenantId: 'default', seals: 1, unsealedEvents: 0 }),
    ]);
    const acme = await server.request('GET', '/v1/ledger/verify', { key: acmeKey });
    expect(acme.json.tenants.map((t: any) => t.tenantId)).toEqual(['acme']);
    expect((await server.request('GET', '/v1/ledger/verify', { key: null })).status).toBe(401);

    const seals = await server.request('GET', '/v1/ledger/seals', { key: keys.producer });
    expect(seals.json).toMatchObject({
      format: 'authtrail.seals.v1',
      tenantId: 'default',
      next: null,
    });
    expect(seals.json.seals).toHaveLength(1);
    expect(seals.json.seals[0]).toMatchObject({
      sequence: 0,
      tenantId: 'default',
      prevSealHash: null,
    });
    const acmeSeals = await server.request('GET', '/v1/ledger/seals', { key: acmeKey });
    expect(acmeSeals.json.seals.every((s: any) => s.tenantId === 'acme')).toBe(true);
    expect((await server.request('GET', '/v1/ledger/seals?limit=x')).status).toBe(422);
  });

  it('export proofs check out with the standalone verifier, and a changed export does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-proof-'));
    dirs.push(dir);
    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person(3).userPrincipalName },
    });
    expect(exported.json.events.length).toBeGreaterThan(10);
    for (const e of exported.json.events) expect(e.proof.status).toBe('sealed');
    const seals = await server.request('GET', '/v1/ledger/seals', { key: keys.reader });
    const pem = await server.request('GET', '/v1/ledger/public-key?format=pem', {
      key: keys.reader,
    });
    expect(pem.text).toContain('BEGIN PUBLIC KEY');
    const json = await server.request('GET', '/v1/ledger/public-key', { key: keys.reader });
    expect(json.json).toMatchObject({ format: 'authtrail.seal-key.v1', algorithm: 'Ed25519' });
    writeFileSync(join(dir, 'export.json'), exported.text);
    writeFileSync(join(dir, 'seals.json'), seals.text);
    writeFileSync(join(dir, 'public-key.pem'), pem.text);
    writeFileSync(join(dir, 'public-key.json'), json.text);
    const run = (...files: string[]) =>
      spawnSync(process.execPath, [VERIFIER, ...files.map((f) => join(dir, f))], {
        encoding: 'utf8',
      });

    const ok = run('export.json', 'seals.json', 'public-key.pem', '--require-sealed');
    expect(ok.stdout).toContain('OK');
    expect(ok.status).toBe(0);
    expect(run('export.json', 'seals.json', 'public-key.json').status).toBe(0);

    // One byte of one exported envelope changed: its hash and proof no longer hold.
    const doc = JSON.parse(exported.text);
    const bytes = Buffer.from(doc.events[2].envelope, 'base64');
    bytes[10] ^= 1;
    doc.events[2].envelope = bytes.toString('base64');
    writeFileSync(join(dir, 'bad-export.json'), JSON.stringify(doc));
    const bad = run('bad-export.json', 'seals.json', 'public-key.pem');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`position ${doc.events[2].position}`);

    // A seal re-signed by someone else's key is refused.
    const sealsDoc = JSON.parse(seals.text);
    sealsDoc.seals[0].root = '0'.repeat(64);
    writeFileSync(join(dir, 'bad-seals.json'), JSON.stringify(sealsDoc));
    expect(run('export.json', 'bad-seals.json', 'public-key.pem').status).toBe(1);
  });

  it('after people are erased, the log still verifies (hashes cover ciphertext)', async () => {
    for (const i of [0, 3]) {
      const erased = await server.request('POST', '/v1/subjects/erase', {
        key: keys.privacyAdmin,
        body: { userPrincipalName: person(i).userPrincipalName },
      });
      expect(erased.json.events).toBeGreaterThan(0);
    }
    await server.request('POST', '/v1/events', { key: keys.producer, body: batch(1000, 20) });
    await seal();
    const verify = await server.request('GET', '/v1/ledger/verify', { key: keys.reader });
    expect(verify.json).toMatchObject({ ok: true });
    expect(verify.json.tenants[0]).toMatchObject({ seals: 2, unsealedEvents: 0 });
  });

  it('authtrail verify reads the log of whichever store the deployment runs on', async () => {
    // server.config names the store under test: the SQLite file or the EventStoreDB URL.
    const report = await verifyLog(server.config);
    expect(report).toMatchObject({ ok: true, firstDisagreement: null });
    expect(report.checkedSeals).toBeGreaterThanOrEqual(2);
    expect(report.checkedEvents).toBeGreaterThan(0);
  });

  describeOnSqlite(
    'these attacks edit the SQLite file directly; on EventStoreDB a removed event is named by retention.e2e-spec.ts and esdb-ledger-retention.int-spec.ts',
  )('someone with write access to the SQLite file (server stopped)', () => {
    let config: AppConfig;
    let sealed: { positions: number[]; sealPosition: number };

    beforeAll(async () => {
      config = server.config;
      const seals = await server.request('GET', '/v1/ledger/seals', { key: keys.reader });
      const first = seals.json.seals[0];
      const positions: number[] = [];
      for (const [a, b] of first.positions) for (let p = a; p <= b; p++) positions.push(p);
      await server.close();
      closed = true;
      const db = new Database(join(config.dataDir, 'events.db'), { readonly: true });
      const sealPosition = (
        db
          .prepare(
            "SELECT position FROM events WHERE stream_id = 't-default-ledger' ORDER BY position",
          )
          .all() as { position: number }[]
      )[0].position;
      db.close();
      sealed = { positions, sealPosition };
    });
    const check = async (c: AppConfig) => {
      dirs.push(c.dataDir);
      return verifyLog(c);
    };

    it('the untouched log verifies', async () => {
      const report = await verifyLog(config);
      expect(report.ok).toBe(true);
      expect(report.tenants.map((t) => t.tenantId).sort()).toEqual(['acme', 'default']);
    });

    it('names a flipped byte', async () => {
      const p = sealed.positions[40];
      const report = await check(
        tampered(config, (db) => {
          const { data } = db.prepare('SELECT data FROM events WHERE position = ?').get(p) as {
            data: Buffer;
          };
          data[data.length - 5] ^= 0x01;
          db.prepare('UPDATE events SET data = ? WHERE position = ?').run(data, p);
        }),
      );
      expect(report.ok).toBe(false);
      expect(report.firstDisagreement).toMatchObject({
        kind: 'changed',
        position: p,
        tenantId: 'default',
      });
    });

    it('names a flipped byte whose recorded hash was rewritten too (pinned to its chunk)', async () => {
      const p = sealed.positions[100];
      const report = await check(
        tampered(config, (db) => {
          db.function('sha256hex', (b: Buffer) => createHash('sha256').update(b).digest('hex'));
          const { data } = db.prepare('SELECT data FROM events WHERE position = ?').get(p) as {
            data: Buffer;
          };
          data[data.length - 5] ^= 0x01;
          db.prepare('UPDATE events SET data = ?, hash = sha256hex(?) WHERE position = ?').run(
            data,
            data,
            p,
          );
        }),
      );
      expect(report.firstDisagreement!.kind).toBe('changed');
      expect(report.firstDisagreement!.positions).toContain(p);
    });

    it('names a deleted event', async () => {
      const p = sealed.positions[77];
      const report = await check(
        tampered(config, (db) => {
          for (const t of ['event_subjects', 'event_keys', 'events'])
            db.prepare(`DELETE FROM ${t} WHERE position = ?`).run(p);
        }),
      );
      expect(report.firstDisagreement).toMatchObject({ kind: 'deleted', position: p });
      expect(report.disagreements).toHaveLength(1);
    });

    it('names two swapped events', async () => {
      const [p, q] = [sealed.positions[10], sealed.positions[13]];
      const report = await check(
        tampered(config, (db) => {
          const cols = 'stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash';
          const get = db.prepare(`SELECT ${cols} FROM events WHERE position = ?`);
          const [a, b] = [get.get(p) as any, get.get(q) as any];
          const set = db.prepare(
            `UPDATE events SET stream_id = ?, revision = ?, event_id = ?, type = ?, occurred_at = ?, recorded_at = ?, data = ?, hash = ? WHERE position = ?`,
          );
          const values = (r: any) => [
            r.stream_id,
            r.revision,
            r.event_id,
            r.type,
            r.occurred_at,
            r.recorded_at,
            r.data,
            r.hash,
          ];
          set.run('tmp', -1, 'tmp', 'tmp', 0, 0, Buffer.alloc(0), '', p);
          set.run(...values(a), q);
          set.run(...values(b), p);
        }),
      );
      expect(report.firstDisagreement).toMatchObject({ kind: 'reordered', position: p });
      expect(report.firstDisagreement!.positions).toEqual([p, q]);
    });

    it('names a forged seal', async () => {
      const report = await check(
        tampered(config, (db) => {
          const { data } = db
            .prepare('SELECT data FROM events WHERE position = ?')
            .get(sealed.sealPosition) as {
            data: Buffer;
          };
          const envelope = JSON.parse(data.toString());
          // Pretend the first sealed event was never there.
          envelope.data.eventCount -= 1;
          envelope.data.positions[0][0] += 1;
          db.prepare('UPDATE events SET data = ? WHERE position = ?').run(
            Buffer.from(JSON.stringify(envelope)),
            sealed.sealPosition,
          );
        }),
      );
      expect(report.firstDisagreement).toMatchObject({
        kind: 'forged-seal',
        position: sealed.sealPosition,
        sealSequence: 0,
      });
    });

    it('authtrail verify exits non-zero and prints the first disagreeing position', () => {
      expect(existsSync(CLI_MAIN)).toBe(true);
      const p = sealed.positions[5];
      const bad = tampered(config, (db) => {
        for (const t of ['event_subjects', 'event_keys', 'events'])
          db.prepare(`DELETE FROM ${t} WHERE position = ?`).run(p);
      });
      dirs.push(bad.dataDir);
      const env = (dataDir: string) => ({
        ...process.env,
        AUTHTRAIL_DATA_DIR: dataDir,
        AUTHTRAIL_SEAL_KEY_FILE: config.sealKeyFile,
        AUTHTRAIL_BOOTSTRAP_KEY: BOOTSTRAP_KEY,
        AUTHTRAIL_LOG_LEVEL: 'warn',
      });
      const good = spawnSync(process.execPath, [CLI_MAIN, 'verify'], {
        env: env(config.dataDir),
        encoding: 'utf8',
      });
      expect(good.stdout).toContain('OK');
      expect(good.status).toBe(0);
      const failed = spawnSync(process.execPath, [CLI_MAIN, 'verify'], {
        env: env(bad.dataDir),
        encoding: 'utf8',
      });
      expect(failed.status).toBe(1);
      expect(failed.stdout).toContain(
        `FAILED: first disagreement at position ${p} (tenant default): deleted`,
      );
    });
  });
});
