/**
 * Legal hold, decided from the tenant's privacy stream (`t-{tenant}-privacy`): which holds
 * are in force, whom they cover, and which deferred erasures are free to run. Pure: the
 * handlers load the stream, decide here, act.
 */
import { PRIVACY_EVENT } from '@authtrail/catalog';

export type HoldScope = 'person' | 'tenant';

export interface LegalHold {
  readonly holdId: string;
  readonly scope: HoldScope;
  /** The person held; null for a tenant hold. */
  readonly subjectId: string | null;
  readonly caseReference: string;
  readonly placedAt: string;
  readonly placedBy: string;
  /** null while the hold is in force. */
  readonly releasedAt: string | null;
  readonly releasedBy: string | null;
}

/** A privacy-stream record as the decisions read it. */
export interface PrivacyRecord {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Every hold of the tenant, in the order placed, with its release if any. */
export function holdsOf(records: readonly PrivacyRecord[]): LegalHold[] {
  const holds = new Map<string, LegalHold>();
  for (const r of records) {
    if (r.type === PRIVACY_EVENT.legalHoldPlaced) {
      const holdId = String(r.data.holdId);
      holds.set(holdId, {
        holdId,
        scope: r.data.scope === 'tenant' ? 'tenant' : 'person',
        subjectId: typeof r.data.subjectId === 'string' ? r.data.subjectId : null,
        caseReference: String(r.data.caseReference),
        placedAt: r.occurredAt,
        placedBy: String(r.data.actorKeyId),
        releasedAt: null,
        releasedBy: null,
      });
    } else if (r.type === PRIVACY_EVENT.legalHoldReleased) {
      const hold = holds.get(String(r.data.holdId));
      if (hold && hold.releasedAt === null)
        holds.set(hold.holdId, {
          ...hold,
          releasedAt: r.occurredAt,
          releasedBy: String(r.data.actorKeyId),
        });
    }
  }
  return [...holds.values()];
}

/** The holds in force that cover the person: tenant holds and their own, oldest first. */
export function holdsCovering(holds: readonly LegalHold[], subjectId: string): LegalHold[] {
  return holds.filter(
    (h) => h.releasedAt === null && (h.scope === 'tenant' || h.subjectId === subjectId),
  );
}

/** What retention must leave alone: held tenants entirely, held people's events. */
export interface HeldScope {
  readonly tenants: readonly string[];
  readonly subjects: readonly { readonly tenantId: string; readonly subjectId: string }[];
}

export function heldScopeOf(tenantId: string, holds: readonly LegalHold[]): HeldScope {
  const active = holds.filter((h) => h.releasedAt === null);
  return {
    tenants: active.some((h) => h.scope === 'tenant') ? [tenantId] : [],
    subjects: [...new Set(active.flatMap((h) => (h.subjectId === null ? [] : [h.subjectId])))].map(
      (subjectId) => ({ tenantId, subjectId }),
    ),
  };
}

export type ReleaseDecision =
  | { readonly kind: 'release'; readonly hold: LegalHold }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'already-released'; readonly hold: LegalHold };

export function decideRelease(holds: readonly LegalHold[], holdId: string): ReleaseDecision {
  const hold = holds.find((h) => h.holdId === holdId);
  if (!hold) return { kind: 'unknown' };
  return hold.releasedAt === null ? { kind: 'release', hold } : { kind: 'already-released', hold };
}

/** An erasure a hold deferred: the deferral's event id, whom, and the hold that deferred it. */
export interface DeferredErasure {
  readonly deferralId: string;
  readonly subjectId: string;
  readonly holdId: string;
  readonly deferredAt: string;
  readonly actorKeyId: string;
}

/**
 * Erasures deferred by a hold and not run yet, once per person (the first deferral): a
 * deferral is run by a `SubjectErasureRequested` caused by it, or superseded by any later
 * erasure request of the person.
 */
export function deferredErasures(records: readonly PrivacyRecord[]): DeferredErasure[] {
  const open = new Map<string, DeferredErasure>();
  for (const r of records) {
    const subjectId = String(r.data.subjectId);
    if (r.type === PRIVACY_EVENT.erasureDeferred) {
      if (!open.has(subjectId))
        open.set(subjectId, {
          deferralId: r.eventId,
          subjectId,
          holdId: String(r.data.holdId),
          deferredAt: r.occurredAt,
          actorKeyId: String(r.data.actorKeyId),
        });
    } else if (r.type === PRIVACY_EVENT.erasureRequested) {
      open.delete(subjectId);
    }
  }
  return [...open.values()];
}

/** The deferred erasures no hold in force covers any more: to run now. */
export function erasuresToRun(
  deferred: readonly DeferredErasure[],
  holds: readonly LegalHold[],
): DeferredErasure[] {
  return deferred.filter((d) => holdsCovering(holds, d.subjectId).length === 0);
}
