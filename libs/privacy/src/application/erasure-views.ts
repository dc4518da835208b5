import { EventStore, decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { PRIVACY_EVENT } from '../domain/erasure';
import { ErasureSurfaces, FollowerCheckpoint, erasureSurfaces } from '../domain/erasure-surfaces';
import { deferredErasures, holdsCovering, holdsOf } from '../domain/legal-hold';
import type { ErasureFollowers } from './erasure-followers.port';
import { readPrivacyLog } from './privacy-log';

export interface ErasureView {
  readonly subjectId: string;
  readonly requestedAt: string;
  /** null while the erasure is pending (cut off by a crash, finished at the next start). */
  readonly erasedAt: string | null;
  readonly events: number | null;
  readonly status: 'erased' | 'pending' | 'deferred';
  /** The key that asked for it. */
  readonly actorKeyId: string | null;
  /** Deferred only: the holds in force that cover the person; the erasure runs when the last is released. */
  readonly deferredBy?: readonly string[];
  /** Erased only, where the API runs: how far the clean-up of the copies outside the log has got. */
  readonly surfaces?: ErasureSurfaces;
}

/** The followers' checkpoints now; one that cannot be read is null (`unknown`). */
async function checkpoints(
  followers: ErasureFollowers,
): Promise<{ readModel: number | null; siem: FollowerCheckpoint }> {
  const [readModel, siem] = await Promise.all([
    followers.readModel().catch(() => null),
    followers.siem().catch(() => null),
  ]);
  return { readModel, siem };
}

/**
 * The erasures of a tenant (or of one subject), newest first, read from the log: the
 * request on the tenant's privacy stream, the outcome on the subject's lifecycle stream.
 * One row per person: the first request is the one that erased them. An erasure a legal
 * hold defers is listed as `deferred` (requested at the deferral) until the hold's
 * release runs it. With `followers`, each erased row says how far each copy's clean-up
 * has got, from their checkpoints read once, after the log (a follower only moves ahead),
 * and, for those the projector has passed, whether their ciphertext rows are gone yet.
 */
export async function erasureViews(
  store: EventStore,
  tenantId: string,
  options: { readonly subjectId?: string; readonly followers?: ErasureFollowers } = {},
): Promise<ErasureView[]> {
  const { records } = await readPrivacyLog(store, tenantId);
  const wanted = (subjectId: string) =>
    options.subjectId === undefined || options.subjectId === subjectId;
  const first = new Map<string, Omit<ErasureView, 'erasedAt' | 'events' | 'status'>>();
  for (const r of records) {
    if (r.type !== PRIVACY_EVENT.erasureRequested) continue;
    const subjectId = String(r.data.subjectId);
    if (!wanted(subjectId) || first.has(subjectId)) continue;
    first.set(subjectId, {
      subjectId,
      requestedAt: r.occurredAt,
      actorKeyId: typeof r.data.actorKeyId === 'string' ? r.data.actorKeyId : null,
    });
  }
  const done: { view: Omit<ErasureView, 'surfaces'>; position: number }[] = [];
  const items: ErasureView[] = [];
  for (const r of first.values()) {
    const record = (await store.readStream(subjectStream(tenantId, r.subjectId))).find(
      (e) => e.type === PRIVACY_EVENT.erased,
    );
    if (!record) {
      items.push({ ...r, erasedAt: null, events: null, status: 'pending' });
      continue;
    }
    const data = decodeEnvelope(record.data).data;
    done.push({
      view: {
        ...r,
        erasedAt: String(data.erasedAt),
        events: Number(data.events ?? 0),
        status: 'erased',
      },
      position: record.position,
    });
  }
  const followers = options.followers;
  const at = followers && done.length > 0 ? await checkpoints(followers) : null;
  // Whose ciphertext is still in the read model, asked only of those the projector passed.
  const passed = done.filter((d) => at?.readModel != null && at.readModel >= d.position);
  const left =
    followers && passed.length > 0
      ? await followers
          .ciphertextLeft(
            tenantId,
            passed.map((d) => d.view.subjectId),
          )
          .catch(() => null)
      : new Set<string>();
  for (const d of done)
    items.push(
      at === null
        ? d.view
        : {
            ...d.view,
            surfaces: erasureSurfaces(
              d.position,
              at,
              left === null ? null : left.has(d.view.subjectId),
            ),
          },
    );
  const holds = holdsOf(records);
  for (const d of deferredErasures(records)) {
    if (!wanted(d.subjectId)) continue;
    items.push({
      subjectId: d.subjectId,
      requestedAt: d.deferredAt,
      erasedAt: null,
      events: null,
      status: 'deferred',
      actorKeyId: d.actorKeyId,
      deferredBy: holdsCovering(holds, d.subjectId).map((h) => h.holdId),
    });
  }
  items.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  return items;
}
