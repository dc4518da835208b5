import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  InMemoryReadModel,
  applicationHarness,
} from '@authtrail/testing';
import type { MfaBlockRow, PageQuery } from '../domain/read-model.types';
import { Projector } from './projector';
import type { ReportQuery } from './read-model.port';
import { findReport } from './reports/report-registry';
import { ReportsService } from './reports.service';

const blocks = findReport('mfa', 'blocks')!;

describe('ReportsService over a fake reader (in memory)', () => {
  let h: ApplicationHarness;
  let model: InMemoryReadModel;
  let reports: ReportsService;
  /** The rows the ClickHouse query would select: this tenant's blocks inside the window. */
  const blocksAnswer = (m: InMemoryReadModel, q: { page: PageQuery }): MfaBlockRow[] =>
    m.rows.blocks.filter(
      (r) =>
        r.tenantId === q.page.tenantId && r.occurredAt >= q.page.from && r.occurredAt <= q.page.to,
    );
  const project = () =>
    new Projector({
      store: h.store,
      writer: model,
      checkpoints: new InMemoryCheckpointStore(),
      catalog: h.catalog,
    }).catchUp();

  beforeEach(async () => {
    h = await applicationHarness();
    model = new InMemoryReadModel();
    const answers = new Map([[blocks.query as ReportQuery<never, unknown>, blocksAnswer]]);
    reports = new ReportsService(model.reader(answers), h.keyring, h.catalog, h.clock);
    await h.ingestExamples(['mfa.UserBlocked']);
    await project();
  });

  it('shows a privacy admin the person’s name and a reader only their subject id', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const asAdmin = await reports.mfa('blocks', { tenantId: h.tenantId, revealNames: true }, {});
    const asReader = await reports.mfa('blocks', { tenantId: h.tenantId, revealNames: false }, {});

    expect(asAdmin.body.items).toEqual([
      expect.objectContaining({
        user: 'Kim Akers',
        subjectId: kim.subjectId,
        erased: false,
        state: 'active',
      }),
    ]);
    expect(asReader.body.items).toEqual([
      expect.objectContaining({ user: kim.subjectId, subjectId: kim.subjectId, erased: false }),
    ]);
    expect(JSON.stringify(asReader)).not.toContain('Kim');
    expect(asAdmin.columns).toBe(blocks.columns);
  });

  it('shows an erased person as erased with no name, to everyone', async () => {
    await h.erase('kim@contoso.com');
    // Before the projector has seen the erasure, the missing key already says so.
    const early = await reports.mfa('blocks', { tenantId: h.tenantId, revealNames: true }, {});
    expect(early.body.items).toEqual([expect.objectContaining({ user: null, erased: true })]);
    await project();
    const late = await reports.mfa('blocks', { tenantId: h.tenantId, revealNames: true }, {});
    expect(late.body.items).toEqual([expect.objectContaining({ user: null, erased: true })]);
  });

  it('answers only the caller’s tenant, and names a bad parameter or an unknown report', async () => {
    const other = await reports.mfa('blocks', { tenantId: 'globex', revealNames: true }, {});
    expect(other.body.items).toEqual([]);
    await expect(
      reports.mfa('blocks', { tenantId: h.tenantId, revealNames: false }, { days: 'x', nope: '1' }),
    ).rejects.toMatchObject({
      code: 'REPORT.PARAMETER_INVALID',
      category: 'invalid',
      errors: [
        expect.objectContaining({ path: 'days' }),
        expect.objectContaining({ path: 'nope' }),
      ],
    });
    await expect(
      reports.mfa('nothing', { tenantId: h.tenantId, revealNames: false }, {}),
    ).rejects.toMatchObject({
      code: 'REPORT.NOT_FOUND',
      extensions: { validReports: expect.arrayContaining(['attempts', 'bypasses']) },
      message: expect.stringContaining('the mfa reports are: '),
    });
  });

  it('fails loudly for a query the fake reader has no answer for', async () => {
    await expect(
      reports.sspr('registrations', { tenantId: h.tenantId, revealNames: false }, {}),
    ).rejects.toThrow('no answer for this query');
  });
});
