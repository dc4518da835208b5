import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleEvent, exampleTypes, PRIVACY_EVENT } from '@authtrail/catalog';
import { OcsfSchema } from '@authtrail/testing';
import { SiemHarness } from '../../testing/siem-harness';

jest.setTimeout(60_000);
const schema = OcsfSchema.load();

describe('NDJSON file sink (embedded mode, AUTHTRAIL_SIEM_FILE)', () => {
  let h: SiemHarness;
  beforeEach(async () => {
    h = await SiemHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('writes one valid OCSF line per event, never an identity or a name, and resumes after a restart without repeating', async () => {
    const file = join(h.dataDir, 'siem', 'events.ndjson');
    const tenant = await h.tenant();
    await h.ingest(
      tenant,
      exampleTypes.map((t) => exampleEvent(t, { eventId: randomUUID() })),
    );
    const first = h.forwarder({ kafkaBrokers: [], siemFile: file, siemIdentity: true });
    await h.caughtUp(first);
    await h.stopForwarder(first);
    await h.erase(tenant, 'kim@contoso.com');
    const second = h.forwarder({ kafkaBrokers: [], siemFile: file, siemIdentity: true });
    await h.caughtUp(second);

    const text = readFileSync(file, 'utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const log = await h.store.readAll({ after: 0, limit: 100_000 });
    expect(lines.map((l) => l.metadata.sequence)).toEqual(log.map((r) => r.position));
    for (const l of lines) expect(schema.validate(l)).toEqual([]);
    expect(lines.some((l) => l.unmapped.authtrail_type === PRIVACY_EVENT.erased)).toBe(true);
    for (const name of [
      'kim@contoso.com',
      'Kim Akers',
      'helpdesk@contoso.com',
      'subject_uid',
      '"identity"',
    ])
      expect(text).not.toContain(name);
  });
});
