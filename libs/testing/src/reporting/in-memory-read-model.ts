import {
  ProjectionRows,
  ReadModelWriter,
  ReportQuery,
  ReportReader,
  SubjectErasure,
  SubjectSealedRow,
  TenantDeletion,
  emptyRows,
  erasedAmong,
  sealedOf,
} from '@authtrail/reporting';

interface Keyed {
  readonly eventId: string;
  readonly subjectId?: string;
}
const keyOf = (r: Keyed): string => `${r.eventId}/${r.subjectId ?? ''}`;

/** How a fake reader answers one report query from the rows the projector wrote. */
export type InMemoryAnswer<P = never, R = unknown> = (model: InMemoryReadModel, params: P) => R;

/**
 * The read model's two sides in memory, for the application test tier: the projector
 * writes rows here (idempotent by table and event id, as ClickHouse's read-time dedupe),
 * and `reader()` answers the people lookups (erased, sealed display data) from them and
 * each report query from the answer a test gives for it. A query without an answer fails
 * the test, naming it, rather than returning nothing.
 */
export class InMemoryReadModel implements ReadModelWriter {
  rows: ProjectionRows = emptyRows();
  readonly erasures: SubjectErasure[] = [];
  readonly deletions: TenantDeletion[] = [];
  /** Every `write`, in order. */
  readonly writes: ProjectionRows[] = [];

  write(rows: ProjectionRows): Promise<void> {
    this.writes.push(rows);
    for (const table of Object.keys(rows) as (keyof ProjectionRows)[]) {
      const held = this.rows[table] as Keyed[];
      const seen = new Set(held.map(keyOf));
      for (const row of rows[table] as Keyed[]) {
        if (seen.has(keyOf(row))) continue;
        seen.add(keyOf(row));
        held.push(row);
      }
    }
    return Promise.resolve();
  }

  eraseSubject(erasure: SubjectErasure): Promise<void> {
    this.erasures.push(erasure);
    this.rows = {
      ...this.rows,
      sealed: this.rows.sealed.filter(
        (r) => !(r.tenantId === erasure.tenantId && r.subjectId === erasure.subjectId),
      ),
    };
    return Promise.resolve();
  }

  deleteTenant(deletion: TenantDeletion): Promise<void> {
    this.deletions.push(deletion);
    const keep = <T extends { tenantId: string }>(rows: T[]) =>
      rows.filter((r) => r.tenantId !== deletion.tenantId);
    const r = this.rows;
    this.rows = {
      sspr: keep(r.sspr),
      attempts: keep(r.attempts),
      activations: keep(r.activations),
      blocks: keep(r.blocks),
      bypasses: keep(r.bypasses),
      changes: keep(r.changes),
      audit: keep(r.audit),
      sealed: keep(r.sealed),
    };
    return Promise.resolve();
  }

  reset(): Promise<void> {
    this.rows = emptyRows();
    this.erasures.length = 0;
    this.deletions.length = 0;
    return Promise.resolve();
  }

  /** A reader over these rows; `answers` maps a report's query to its answer. */
  reader(
    answers: ReadonlyMap<ReportQuery<never, unknown>, InMemoryAnswer> = new Map(),
  ): ReportReader {
    const lookups = new Map<ReportQuery<never, unknown>, InMemoryAnswer>([
      [
        erasedAmong,
        (m, q: { tenantId: string; subjectIds: readonly string[] }) => m.erasedAmong(q),
      ],
      [sealedOf, (m, q: { tenantId: string; subjectIds: readonly string[] }) => m.sealedOf(q)],
      ...answers,
    ]);
    return {
      run: <P, R>(query: ReportQuery<P, R>, params: P): Promise<R> => {
        const answer = lookups.get(query);
        if (!answer)
          return Promise.reject(new Error('the in-memory read model has no answer for this query'));
        return Promise.resolve((answer as InMemoryAnswer<P, R>)(this, params));
      },
    };
  }

  private erasedAmong(q: { tenantId: string; subjectIds: readonly string[] }): Set<string> {
    return new Set(
      this.erasures
        .filter((e) => e.tenantId === q.tenantId && q.subjectIds.includes(e.subjectId))
        .map((e) => e.subjectId),
    );
  }

  /** The newest sealed row of each person, SSPR first (as the ClickHouse query). */
  private sealedOf(q: { tenantId: string; subjectIds: readonly string[] }): SubjectSealedRow[] {
    const best = new Map<string, SubjectSealedRow>();
    const rank = (r: SubjectSealedRow) => (r.service === 'sspr' ? 1e15 : 0) + r.position;
    for (const row of this.rows.sealed) {
      if (row.tenantId !== q.tenantId || !q.subjectIds.includes(row.subjectId)) continue;
      const held = best.get(row.subjectId);
      if (!held || rank(row) > rank(held)) best.set(row.subjectId, row);
    }
    return [...best.values()];
  }
}
