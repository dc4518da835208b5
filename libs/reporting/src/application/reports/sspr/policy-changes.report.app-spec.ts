import { catalogExamples } from '@authtrail/catalog';
import { IngestEventsCommand, IngestEventsHandler } from '@authtrail/ingest';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  InMemoryReadModel,
  applicationHarness,
} from '@authtrail/testing';
import { decodeCursor } from '../../../domain/cursor';
import type { PolicyChangeRow, PolicySettingChange } from '../../../domain/read-model.types';
import { Projector } from '../../projector';
import { ReportsService } from '../../reports.service';
import { type PolicyChangesPage, changesText, policyChanges } from './policy-changes.report';

/**
 * What the ClickHouse view and query select, over the in-memory rows: the tenant's
 * `sspr.PolicyChanged` audit rows in the window, newest first, after the cursor, with the
 * details' policy and changes (absent values null).
 */
function policyChangesAnswer(m: InMemoryReadModel, q: PolicyChangesPage): PolicyChangeRow[] {
  const { page } = q;
  return m.rows.audit
    .filter(
      (r) =>
        r.type === 'sspr.PolicyChanged' &&
        r.tenantId === page.tenantId &&
        r.occurredAt >= page.from &&
        r.occurredAt < page.to &&
        (page.after === null ||
          r.occurredAt < page.after.at ||
          (r.occurredAt.getTime() === page.after.at.getTime() && r.eventId < page.after.id)),
    )
    .sort(
      (a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.eventId < b.eventId ? 1 : -1),
    )
    .slice(0, page.limit)
    .map((r) => {
      const d = JSON.parse(r.details) as {
        policy?: string;
        changes?: Partial<PolicySettingChange>[];
      };
      return {
        eventId: r.eventId,
        occurredAt: r.occurredAt,
        status: r.status,
        reason: r.reason,
        actorId: r.actorId,
        actorRole: r.actorRole,
        policy: d.policy ?? '',
        changes: (d.changes ?? []).map((c) => ({
          property: c.property ?? '',
          oldValue: c.oldValue ?? null,
          newValue: c.newValue ?? null,
        })),
      };
    });
}

describe('policy-changes report over a fake reader (in memory)', () => {
  let h: ApplicationHarness;
  let model: InMemoryReadModel;
  let reports: ReportsService;
  const admin = { tenantId: 'acme', revealNames: true };
  const reader = { tenantId: 'acme', revealNames: false };

  const ingest = async (events: ReturnType<typeof catalogExamples.exampleEvent>[]) => {
    await new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, {
      maxEvents: 100,
      maxFutureSkewMs: 300_000,
    }).execute(new IngestEventsCommand(h.tenantId, events, 'k-producer'));
    await new Projector({
      store: h.store,
      writer: model,
      checkpoints: new InMemoryCheckpointStore(),
      catalog: h.catalog,
    }).catchUp();
  };

  beforeEach(async () => {
    h = await applicationHarness();
    model = new InMemoryReadModel();
    const answers = new Map([[policyChanges.query, policyChangesAnswer]]);
    reports = new ReportsService(model.reader(answers), h.keyring, h.catalog, h.clock);
    await ingest([
      catalogExamples.exampleEvent('sspr.PolicyChanged', {
        occurredAt: '2026-11-19T08:00:00.000Z',
        actor: {
          userPrincipalName: 'admin@contoso.com',
          displayName: 'Contoso Admin',
          role: 'GlobalAdministrator',
        },
      }),
      catalogExamples.exampleEvent('sspr.PolicyChanged', {
        occurredAt: '2026-11-20T09:00:00.000Z',
        actor: { userPrincipalName: 'helpdesk@contoso.com', displayName: 'Help Desk' },
        result: { status: 'Failure', reason: 'Permission failure?' },
        details: { changes: [{ property: 'SelfServicePasswordResetEnabled', newValue: 'All' }] },
      }),
      // Long ago (outside the default 30 days) and not a policy change: neither is listed.
      catalogExamples.exampleEvent('sspr.PolicyChanged', {
        occurredAt: '2026-09-01T08:00:00.000Z',
      }),
      catalogExamples.exampleEvent('sspr.PasswordResetSelfService', {
        occurredAt: '2026-11-20T09:30:00.000Z',
      }),
    ]);
  });

  it('answers who changed which setting from what to what, newest first, names for a privacy admin only', async () => {
    const asAdmin = await reports.sspr('policy-changes', admin, {});
    expect(asAdmin.body).toMatchObject({
      from: '2026-10-21T10:00:00.000Z',
      to: '2026-11-20T10:00:00.000Z',
      nextCursor: null,
    });
    expect(asAdmin.body.items).toEqual([
      expect.objectContaining({
        changedAt: '2026-11-20T09:00:00.000Z',
        user: 'Help Desk',
        erased: false,
        role: null,
        status: 'Failure',
        reason: 'Permission failure?',
        policy: null,
        changes: [{ property: 'SelfServicePasswordResetEnabled', oldValue: null, newValue: 'All' }],
      }),
      expect.objectContaining({
        changedAt: '2026-11-19T08:00:00.000Z',
        user: 'Contoso Admin',
        role: 'GlobalAdministrator',
        status: 'Success',
        reason: null,
        policy: 'Self-service password reset policy',
        changes: [
          { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '1', newValue: '2' },
          { property: 'SecurityQuestionsEnabled', oldValue: 'true', newValue: 'false' },
        ],
      }),
    ]);
    const subject = (await h.keyring.findSubject(h.tenantId, 'admin@contoso.com'))!.subjectId;
    const asReader = await reports.sspr('policy-changes', reader, {});
    expect((asReader.body.items as { user: string }[]).map((i) => i.user)).toEqual([
      expect.stringMatching(/^s_/),
      subject,
    ]);
    expect(JSON.stringify(asReader.body)).not.toMatch(/Contoso Admin|Help Desk|contoso\.com/);
  });

  it('gives the CSV one readable cell of settings per change', async () => {
    const csv = await reports.sspr('policy-changes', admin, { format: 'csv' });
    expect(csv.format).toBe('csv');
    expect(csv.columns).toEqual(policyChanges.columns);
    expect(csv.rows.map((r) => r.changes)).toEqual([
      'SelfServicePasswordResetEnabled: (not given) → "All"',
      'NumberOfAuthenticationMethodsRequired: "1" → "2"; SecurityQuestionsEnabled: "true" → "false"',
    ]);
    expect(changesText([])).toBe('');
  });

  it('pages with limit and cursor, and takes a longer window', async () => {
    const first = await reports.sspr('policy-changes', admin, { days: '365', limit: '2' });
    expect((first.body.items as unknown[]).length).toBe(2);
    const cursor = first.body.nextCursor as string;
    expect(decodeCursor(cursor)).toMatchObject({ at: Date.parse('2026-11-19T08:00:00.000Z') });
    const second = await reports.sspr('policy-changes', admin, {
      days: '365',
      limit: '2',
      cursor,
    });
    expect(second.body).toMatchObject({
      items: [expect.objectContaining({ changedAt: '2026-09-01T08:00:00.000Z' })],
      nextCursor: null,
    });
  });

  it('answers only the caller’s tenant, and names every bad parameter', async () => {
    const other = await reports.sspr(
      'policy-changes',
      { tenantId: 'globex', revealNames: true },
      {},
    );
    expect(other.body.items).toEqual([]);
    await expect(
      reports.sspr('policy-changes', reader, { limit: '0', cursor: 'nope', min: '3' }),
    ).rejects.toMatchObject({
      code: 'REPORT.PARAMETER_INVALID',
      errors: [
        expect.objectContaining({ path: 'limit' }),
        expect.objectContaining({ path: 'cursor' }),
        expect.objectContaining({ path: 'min' }),
      ],
    });
  });
});
