import { decodeCursor, encodeCursor } from '../../domain/cursor';
import type { ParamReader } from '../../domain/report-params';
import type { PageQuery, WindowQuery } from '../../domain/read-model.types';
import type { ReportContext } from './report-definition';

/** Items per list page: default and most. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `cursor`: the `nextCursor` of a previous page, or null. */
export function cursorParam(p: ParamReader): { at: Date; id: string } | null {
  const raw = p.string('cursor', 400);
  if (raw === undefined) return null;
  const c = decodeCursor(raw);
  if (c === null) {
    p.fail('cursor', 'is not a cursor from a previous page (nextCursor)');
    return null;
  }
  return { at: new Date(c.at), id: c.id };
}

/** The caller's window, narrowed to the category's retention (reports agree with the pruned log). */
export function windowParam(
  p: ParamReader,
  ctx: ReportContext,
  defaultDays: number,
  category: 'sspr' | 'mfa',
): WindowQuery {
  const w = p.window(ctx.now, defaultDays);
  const since = ctx.since(category);
  return {
    tenantId: ctx.tenantId,
    from: w.from.getTime() < since.getTime() ? since : w.from,
    to: w.to,
  };
}

/** A report of the current state refuses a window. */
export function currentStateParams(p: ParamReader): void {
  for (const name of ['days', 'from', 'to'])
    p.refuse(
      name,
      "registration reports show the current state (each person's latest registration, at any time): no time window applies",
    );
}

/** `limit` and `cursor` of a newest-first list in the window: one row more than the page tells whether more follow. */
export function pageParams(
  p: ParamReader,
  w: WindowQuery,
): { readonly page: PageQuery; readonly limit: number } {
  const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  return { page: { ...w, limit: limit + 1, after: cursorParam(p) }, limit };
}

/** `{ from, to }` of the window, for the answer. */
export function windowOf(q: WindowQuery): { from: string; to: string } {
  return { from: q.from.toISOString(), to: q.to.toISOString() };
}

/** The page of `rows` (read with one extra), and the cursor of the next one when there is more. */
export function pageOf<R>(
  rows: readonly R[],
  limit: number,
  key: (r: R) => { at: Date; id: string },
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  if (rows.length <= limit || last === undefined) return { page, nextCursor: null };
  const k = key(last);
  return { page, nextCursor: encodeCursor({ at: k.at.getTime(), id: k.id }) };
}
