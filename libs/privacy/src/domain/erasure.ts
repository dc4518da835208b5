/**
 * Erasure of a person, decided from their lifecycle stream (`t-{tenant}-subject-{id}`)
 * and the tenant's privacy stream. Pure: the handler loads, decides, acts.
 */
import { PRIVACY_EVENT } from '@authtrail/catalog';

export { PRIVACY_EVENT };

export type ErasureDecision =
  /** Nothing erased yet: record the request, shred, record the erasure. */
  | { readonly kind: 'erase' }
  /** Already erased (the lifecycle stream says so). */
  | { readonly kind: 'already-erased'; readonly erasedAt: string; readonly events: number };

export function decideErasure(
  lifecycle: readonly { type: string; data: Readonly<Record<string, unknown>> }[],
): ErasureDecision {
  const done = lifecycle.find((e) => e.type === PRIVACY_EVENT.erased);
  if (done)
    return {
      kind: 'already-erased',
      erasedAt: String(done.data.erasedAt),
      events: Number(done.data.events ?? 0),
    };
  return { kind: 'erase' };
}

/**
 * Erasures that were requested but never recorded as done: a crash cut them off, and
 * the next start finishes them.
 */
export function pendingErasures(
  requested: readonly { subjectId: string; requestId: string }[],
  isErased: (subjectId: string) => boolean,
): { subjectId: string; requestId: string }[] {
  const seen = new Set<string>();
  const out: { subjectId: string; requestId: string }[] = [];
  for (const r of requested) {
    if (seen.has(r.subjectId) || isErased(r.subjectId)) continue;
    seen.add(r.subjectId);
    out.push(r);
  }
  return out;
}

/** Only facts about people count as "events about the person" (not admin records). */
export const isPersonEventType = (type: string): boolean =>
  type.startsWith('sspr.') || type.startsWith('mfa.');

/**
 * A subject id as a path parameter may name one (the shapes ids are minted in and
 * imported with); anything else names nobody, and is not looked up.
 */
export const looksLikeSubjectId = (id: string): boolean =>
  /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id);
