/**
 * Where an erasure has reached, copy by copy. The person's key is deleted before the
 * erasure is recorded, so from then on every copy of their personal fields — the log, its
 * backups, the read model, the SIEM — is ciphertext nobody can open. What follows the
 * record is the clean-up of the copies outside the log:
 *
 * - `readModel`: the projector has written the record, so the read model lists the person
 *   as erased and holds none of their sealed rows (DESIGN.md invariant 3);
 * - `siem`: the forwarder's batch holding the record was acknowledged by the broker, and
 *   with it the identity topic's tombstone of the person.
 *
 * Each one is `done` once its follower's checkpoint has passed the record, `pending`
 * before, `unknown` when its checkpoint cannot be read now, and `off` for a SIEM the
 * deployment does not run.
 */
export type SurfaceState = 'done' | 'pending' | 'unknown' | 'off';

export interface ErasureSurfaces {
  /** The key and the name-index row: deleted before the erasure was recorded. */
  readonly keyVault: 'done';
  readonly readModel: Exclude<SurfaceState, 'off'>;
  readonly siem: SurfaceState;
}

/** A follower's checkpoint: a log position, null when unreadable, `off` when not run. */
export type FollowerCheckpoint = number | null | 'off';

function stateAt(checkpoint: FollowerCheckpoint, recordPosition: number): SurfaceState {
  if (checkpoint === 'off') return 'off';
  if (checkpoint === null) return 'unknown';
  return checkpoint >= recordPosition ? 'done' : 'pending';
}

/** The surfaces of an erasure recorded at `recordPosition`, given the followers' checkpoints. */
export function erasureSurfaces(
  recordPosition: number,
  followers: { readonly readModel: number | null; readonly siem: FollowerCheckpoint },
): ErasureSurfaces {
  return {
    keyVault: 'done',
    readModel: stateAt(followers.readModel, recordPosition) as ErasureSurfaces['readModel'],
    siem: stateAt(followers.siem, recordPosition),
  };
}

/** True when no surface is still `pending` or `unknown`. */
export function surfacesComplete(s: ErasureSurfaces): boolean {
  return [s.readModel, s.siem].every((state) => state === 'done' || state === 'off');
}
