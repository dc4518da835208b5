import type { BaseRow, PageQuery, WindowQuery } from '../../../domain/read-model.types';
import type { ParamReader } from '../../../domain/report-params';
import type { PersonView } from '../../subject-names';
import { type ReportAnswer, type ReportContext, list } from '../report-definition';
import { pageOf, pageParams, windowOf, windowParam } from '../report-params';

/** The MFA lists' parameters: the window (default 30 days) and a newest-first page. */
export interface MfaPage {
  readonly window: WindowQuery;
  readonly page: PageQuery;
  readonly limit: number;
}

export function mfaPageParams(p: ParamReader, ctx: ReportContext): MfaPage {
  const window = windowParam(p, ctx, 30, 'mfa');
  return { window, ...pageParams(p, window) };
}

/** Who acted (blocked, granted), as the caller may see them; null when nobody did. */
export const actorOf = (people: Map<string, PersonView>, id: string): PersonView | null =>
  id === '' ? null : (people.get(id) ?? null);

/** One page of an MFA list: its items, the window and the next cursor. */
export async function mfaPageAnswer<R extends BaseRow>(
  rows: readonly R[],
  q: MfaPage,
  ctx: ReportContext,
  item: (r: R, people: Map<string, PersonView>) => Record<string, unknown>,
): Promise<ReportAnswer> {
  const { page, nextCursor } = pageOf(rows, q.limit, (r) => ({ at: r.occurredAt, id: r.eventId }));
  const people = await ctx.people(page.flatMap((r) => [r.targetId, r.actorId]));
  return list(
    page.map((r) => item(r, people)),
    { ...windowOf(q.window), nextCursor },
  );
}
