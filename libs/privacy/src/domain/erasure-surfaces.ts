/**
 * Where an erasure has reached, copy by copy. The person's key is deleted before the
 * erasure is recorded, so from then on every copy of their personal fields — the log, its
 * backups, the read model, the SIEM — is ciphertext nobody can open. What follows the
 * record is the clean-up of the copies outside the log:
 *
 * - `readModel`: the projector has written the record, so the report tables list the
 *   person as erased (DESIGN.md invariant 3), and their ciphertext rows are gone (the
 *   delete is queued by the projector and carried out by the engine shortly after). Their
 *   pseudonymous facts stay, by design: counts keep them.
 * - `siem`: the forwarder's batch holding the record was acknowledged by the sink (Kafka:
 *   with the identity topic's tombstone of the person, when identities are published).
 *
 * Each one is `done` once that holds, `pending` before, `unknown` when it cannot be told
 * now (a store that does not answer), and `off` for a SIEM the deployment does not run.
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

/**
 * The surfaces of an erasure recorded at `recordPosition`, given the followers'
 * checkpoints and whether the read model still holds the person's ciphertext rows (null:
 * not known).
 */
export function erasureSurfaces(
  recordPosition: number,
  followers: { readonly readModel: number | null; readonly siem: FollowerCheckpoint },
  ciphertextLeft: boolean | null,
): ErasureSurfaces {
  let readModel = stateAt(followers.readModel, recordPosition) as ErasureSurfaces['readModel'];
  if (readModel === 'done' && ciphertextLeft !== false)
    readModel = ciphertextLeft === null ? 'unknown' : 'pending';
  return { keyVault: 'done', readModel, siem: stateAt(followers.siem, recordPosition) };
}

/** True when no surface is still `pending` or `unknown`. */
export function surfacesComplete(s: ErasureSurfaces): boolean {
  return [s.readModel, s.siem].every((state) => state === 'done' || state === 'off');
}
