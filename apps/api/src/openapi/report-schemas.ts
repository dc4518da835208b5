import {
  AUDIT_EVENTS_COLUMNS,
  type AnyReport,
  ParamReader,
  REPORTS,
  type ReportContext,
  auditEventsParams,
  formatParams,
} from '@authtrail/reporting';
import { EventCatalog } from '@authtrail/catalog';

/** One query parameter as a report reads it, recorded while its `params` run on an empty query. */
interface ReadParam {
  name: string;
  schema: Record<string, unknown>;
}

/**
 * A ParamReader that records each parameter a report's `params` reads, with the bounds it
 * checks: the OpenAPI parameters come from the code that refuses bad ones, so they cannot
 * drift from it.
 */
class ParamProbe extends ParamReader {
  readonly read = new Map<string, Record<string, unknown>>();

  constructor() {
    super({});
  }

  override string(name: string, maxLength = 200): string | undefined {
    if (!this.read.has(name)) this.read.set(name, { type: 'string', maxLength });
    return super.string(name, maxLength);
  }

  override int(name: string, min: number, max: number): number | undefined {
    this.read.set(name, { type: 'integer', minimum: min, maximum: max });
    return super.int(name, min, max);
  }

  override oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    this.read.set(name, { type: 'string', enum: [...allowed] });
    return super.oneOf(name, allowed);
  }

  override instant(name: string): Date | undefined {
    this.read.set(name, { type: 'string', format: 'date-time' });
    return super.instant(name);
  }

  params(): ReadParam[] {
    return [...this.read].map(([name, schema]) => ({ name, schema }));
  }
}

const PROBE_CONTEXT: ReportContext = {
  tenantId: 'openapi',
  now: new Date(0),
  retentionDays: { sspr: 365, mfa: 90 },
  since: () => new Date(0),
  people: () => Promise.resolve(new Map()),
};

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  from: 'window start on occurredAt (ISO 8601 with a time zone, inclusive)',
  to: 'window end on occurredAt (ISO 8601 with a time zone, exclusive)',
  days: 'a window of this many days ending now, instead of from/to',
  limit: 'at most this many items',
  cursor: 'nextCursor of the previous page',
};

/** The query parameters of a report, as it reads them (`format` and `bom` first). */
export function reportParameters(report: AnyReport): object[] {
  const probe = new ParamProbe();
  formatParams(probe);
  report.params(probe, PROBE_CONTEXT);
  return asParameters(probe.params());
}

/** The audit query's filters, as `auditEventsParams` reads them. */
export function auditParameters(catalog: EventCatalog): object[] {
  const probe = new ParamProbe();
  formatParams(probe);
  auditEventsParams(probe, PROBE_CONTEXT, catalog, 'openapi-probe');
  return asParameters(probe.params());
}

function asParameters(read: ReadParam[]): object[] {
  return read.map((p) => ({
    name: p.name,
    in: 'query',
    required: false,
    ...(DESCRIPTIONS[p.name] ? { description: DESCRIPTIONS[p.name] } : {}),
    schema: p.schema,
  }));
}

/**
 * The row of a report's answer from its CSV columns (`a.b` columns are members of a
 * nullable object `a`). Values are left untyped: the definitions name their columns but
 * not their types.
 */
function rowSchema(columns: readonly string[]): object {
  const properties: Record<string, object> = {};
  const nested = new Map<string, string[]>();
  for (const c of columns) {
    const [head, ...rest] = c.split('.');
    if (rest.length === 0) properties[head] = { description: `CSV column ${c}` };
    else nested.set(head, [...(nested.get(head) ?? []), rest.join('.')]);
  }
  for (const [head, members] of nested) {
    properties[head] = {
      type: ['object', 'null'],
      properties: Object.fromEntries(
        members.map((m) => [m, { description: `CSV column ${head}.${m}` }]),
      ),
    };
  }
  return { type: 'object', properties, required: Object.keys(properties) };
}

const WINDOW_MEMBERS = {
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
};

/** The JSON answer of a report, from its columns and answer shape. */
export function answerSchema(
  columns: readonly string[],
  answer: 'figures' | 'list' = 'list',
): object {
  const row = rowSchema(columns) as { properties: Record<string, object>; required: string[] };
  if (answer === 'figures') {
    return {
      type: 'object',
      properties: { ...row.properties, ...WINDOW_MEMBERS },
      required: row.required,
    };
  }
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: row },
      ...WINDOW_MEMBERS,
      nextCursor: {
        type: ['string', 'null'],
        description: 'give as cursor for the next page; null on the last page',
      },
      total: { type: 'integer', description: 'how many items there are in all (suspicious)' },
    },
    required: ['items'],
  };
}

/** Component name of a report's answer. */
export const reportSchemaName = (r: AnyReport) =>
  `Report.${r.service}.${r.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;

export const reportSchemas = (): Record<string, object> => ({
  ...Object.fromEntries(
    (REPORTS as readonly AnyReport[]).map((r) => [
      reportSchemaName(r),
      answerSchema(r.columns, r.answer),
    ]),
  ),
  AuditEvents: answerSchema(AUDIT_EVENTS_COLUMNS),
});
