import type { ErasureSurfaces } from '@authtrail/privacy';

/** The part of `GET /v1/privacy/erasures/{id}` that says whether it is over. */
export interface ErasureAnswer {
  readonly status: 'erased' | 'pending' | 'deferred';
  readonly surfaces?: ErasureSurfaces;
}

/** What an erasure still waits for, in words: empty once every copy is cleaned up. */
export function stillPending(view: ErasureAnswer): string[] {
  if (view.status !== 'erased') return [`the erasure itself (${view.status})`];
  if (!view.surfaces) return ['its progress (this server does not report it)'];
  const out: string[] = [];
  if (view.surfaces.readModel !== 'done') out.push(`report tables ${view.surfaces.readModel}`);
  if (view.surfaces.siem !== 'done' && view.surfaces.siem !== 'off')
    out.push(`SIEM ${view.surfaces.siem}`);
  return out;
}
