import { Command, Option } from 'commander';
import { MFA_REPORTS, SSPR_REPORTS, flattenItem } from '@authtrail/reporting';
import { loadConfig } from '@authtrail/config';
import { CliError, type ApiCall, type ApiTarget, type ClientOptions } from '../api-client';
import { catchUpLocally } from './replay.command';

export interface ReportCommandDeps {
  /** Adds the shared --url/--key/--tenant options. */
  readonly client: (cmd: Command) => Command;
  readonly call: (
    options: ClientOptions,
    fn: (api: ApiCall, target: ApiTarget) => Promise<unknown>,
  ) => Promise<void>;
  readonly expectOk: (r: { status: number; body: unknown }) => unknown;
}

interface ReportOptions extends ClientOptions {
  format: 'table' | 'csv' | 'json';
  days?: string;
  from?: string;
  to?: string;
  min?: string;
  limit?: string;
  cursor?: string;
  bom?: boolean;
}

/** `resets` → `/v1/reports/sspr/resets`, `attempts` or `mfa/attempts` → `/v1/reports/mfa/attempts`, `audit` → `/v1/audit-events`. */
export function reportPath(name: string): string | null {
  const n = name.replace(/^\/+|\/+$/g, '');
  if (n === 'audit' || n === 'audit-events') return '/v1/audit-events';
  const [service, report] = n.includes('/') ? n.split('/', 2) : [null, n];
  if ((service === null || service === 'sspr') && SSPR_REPORTS.includes(report))
    return `/v1/reports/sspr/${report}`;
  if ((service === null || service === 'mfa') && MFA_REPORTS.includes(report))
    return `/v1/reports/mfa/${report}`;
  return null;
}

/** A plain text table of a report's items (or of its single row). */
export function renderTable(body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  const items = Array.isArray(b.items)
    ? (b.items as Record<string, unknown>[])
    : [Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'from' && k !== 'to'))];
  const rows = items.map((i) => flattenItem(i));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (columns.length === 0) return '(no rows)';
  const text = (v: string | number | boolean | null | undefined) =>
    v === null || v === undefined ? '' : String(v);
  const widths = columns.map((c) =>
    Math.min(48, Math.max(c.length, ...rows.map((r) => text(r[c]).length))),
  );
  // The last column is not cut: nothing to its right needs aligning (e.g. a policy change's settings).
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => text(r[c])))),
  ];
  if (typeof b.nextCursor === 'string') out.push('', `more: --cursor ${b.nextCursor}`);
  if (typeof b.from === 'string' && typeof b.to === 'string')
    out.push('', `window: ${b.from} .. ${b.to}`);
  return out.join('\n');
}

/** `authtrail report <name>`: the prebuilt reports in the terminal, through the HTTP API. */
export function registerReportCommand(program: Command, deps: ReportCommandDeps): void {
  deps
    .client(
      program
        .command('report')
        .description(
          `print a report: ${[...SSPR_REPORTS, ...MFA_REPORTS.map((r) => `mfa/${r}`), 'audit'].join(', ')}`,
        )
        .argument('<name>', 'report name, e.g. resets, suspicious, mfa/attempts, or a service')
        .argument('[report]', 'with a service first: the report, e.g. sspr policy-changes'),
    )
    .addOption(
      new Option('--format <format>', 'table, csv or json')
        .choices(['table', 'csv', 'json'])
        .default('table'),
    )
    .option('--days <n>', 'window: the last N days')
    .option('--from <iso>', 'window start (ISO 8601)')
    .option('--to <iso>', 'window end (ISO 8601)')
    .option('--min <n>', 'admin-self-resets / suspicious: least number of resets')
    .option(
      '--limit <n>',
      'lists: items per page (csv is every page, read this many at a time); suspicious: most frequent items (default 1000)',
    )
    .option('--cursor <cursor>', 'lists: the next page')
    .option('--bom', 'csv: start with a UTF-8 byte-order mark, for spreadsheets')
    .action(async (first: string, second: string | undefined, o: ReportOptions) => {
      const name = second === undefined ? first : `${first}/${second}`;
      const path = reportPath(name);
      if (path === null) {
        throw new CliError(
          `unknown report "${name}"; the reports are: audit, ${[...SSPR_REPORTS.map((r) => `sspr/${r}`), ...MFA_REPORTS.map((r) => `mfa/${r}`)].join(', ')}`,
        );
      }
      const config = loadConfig();
      if (o.url === undefined && config.cli.url === null) await catchUpLocally(config);
      return deps.call(o, async (api) => {
        const params = new URLSearchParams();
        for (const key of ['days', 'from', 'to', 'min', 'limit', 'cursor'] as const) {
          const v = o[key];
          if (v !== undefined) params.set(key, v);
        }
        if (o.format === 'csv') params.set('format', 'csv');
        if (o.bom === true) params.set('bom', 'true');
        const query = params.toString();
        const body = deps.expectOk(await api('GET', query === '' ? path : `${path}?${query}`));
        if (o.format === 'csv') return String(body).trimEnd();
        return o.format === 'json' ? body : renderTable(body);
      });
    });
}

interface AuditOptions extends ReportOptions {
  readonly service?: string;
  readonly type?: string;
  readonly status?: string;
  readonly actorId?: string;
  readonly targetId?: string;
  readonly actor?: string;
  readonly target?: string;
}

/** `authtrail audit`: the audit log query with its filters, through the HTTP API. */
export function registerAuditCommand(program: Command, deps: ReportCommandDeps): void {
  deps
    .client(
      program.command('audit').description('query the audit log (newest first, cursor pages)'),
    )
    .addOption(
      new Option('--format <format>', 'table, csv or json')
        .choices(['table', 'csv', 'json'])
        .default('table'),
    )
    .option('--service <service>', 'sspr, mfa, privacy, tenant or access')
    .option('--type <types>', 'comma-separated event types')
    .option('--status <status>', 'Success or Failure')
    .option('--actor-id <subjectId>', 'actor subject id')
    .option('--target-id <subjectId>', 'target subject id')
    .option('--actor <upn>', 'actor by user principal name (privacy-admin)')
    .option('--target <upn>', 'target by user principal name (privacy-admin)')
    .option('--days <n>', 'window: the last N days')
    .option('--from <iso>', 'window start (ISO 8601)')
    .option('--to <iso>', 'window end (ISO 8601)')
    .option('--limit <n>', 'items per page (csv is every page, read this many at a time)')
    .option('--cursor <cursor>', 'the next page')
    .option('--bom', 'csv: start with a UTF-8 byte-order mark, for spreadsheets')
    .action(async (o: AuditOptions) => {
      const config = loadConfig();
      if (o.url === undefined && config.cli.url === null) await catchUpLocally(config);
      return deps.call(o, async (api) => {
        const params = new URLSearchParams();
        const map: [keyof AuditOptions, string][] = [
          ['service', 'service'],
          ['type', 'type'],
          ['status', 'status'],
          ['actorId', 'actorId'],
          ['targetId', 'targetId'],
          ['actor', 'actor'],
          ['target', 'target'],
          ['days', 'days'],
          ['from', 'from'],
          ['to', 'to'],
          ['limit', 'limit'],
          ['cursor', 'cursor'],
        ];
        for (const [option, param] of map) {
          const v = o[option];
          if (typeof v === 'string') params.set(param, v);
        }
        if (o.format === 'csv') params.set('format', 'csv');
        if (o.bom === true) params.set('bom', 'true');
        const query = params.toString();
        const body = deps.expectOk(
          await api('GET', query === '' ? '/v1/audit-events' : `/v1/audit-events?${query}`),
        );
        if (o.format === 'csv') return String(body).trimEnd();
        return o.format === 'json' ? body : renderTable(body);
      });
    });
}
