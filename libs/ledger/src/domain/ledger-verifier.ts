import { createHash } from 'node:crypto';
import { LedgerEntry, isLedgerStream } from './ledger-entry';
import { eventLeaf, merkleRoot } from './merkle';
import {
  SealDocument,
  SealPayload,
  expandRuns,
  parseSealDocument,
  payloadOf,
  sealHash,
} from './seal';
import { SealPublicKey, sealSignatureValid } from './seal-key';
import { CheckedRetention, checkSealRetention } from './seal-retention';

/** How the log and its seals disagree (docs/ledger.md "Verification"). */
export type DisagreementKind =
  'changed' | 'deleted' | 'inserted' | 'reordered' | 'forged-seal' | 'broken-chain';

export interface Disagreement {
  readonly kind: DisagreementKind;
  readonly tenantId: string;
  /** First log position where the log and its seals disagree. */
  readonly position: number;
  /** Every position involved (the two swapped ones, or the chunk a change is pinned to). */
  readonly positions: readonly number[];
  /** Sequence of the seal that disagrees, when known. */
  readonly sealSequence: number | null;
  readonly message: string;
}

export interface TenantLedgerState {
  readonly tenantId: string;
  readonly seals: number;
  readonly sealedEvents: number;
  /** `toPosition` of the last seal (0 when none). */
  readonly sealedThrough: number;
  readonly lastSealHash: string | null;
  /** Events after the last seal: not covered yet (the sealer runs every interval). */
  readonly unsealedEvents: number;
  /** Sealed events the store dropped after their retention window: known by their seal's annex. */
  readonly expiredEvents: number;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly checkedEvents: number;
  readonly checkedSeals: number;
  /** Sealed events missing because their retention window had passed (not a disagreement). */
  readonly expiredEvents: number;
  readonly tenants: readonly TenantLedgerState[];
  readonly firstDisagreement: Disagreement | null;
  /** In log order; at most `maxDisagreements`. */
  readonly disagreements: readonly Disagreement[];
  readonly truncated: boolean;
}

interface Leaf {
  readonly position: number;
  readonly eventHash: Buffer;
  /** The envelope bytes still hash to what was recorded at append. */
  readonly matchesRecorded: boolean;
  readonly recorded: string;
}

interface TenantState {
  readonly tenantId: string;
  nextSequence: number;
  lastSealHash: string | null;
  /** After a forged seal the real predecessor is unknown: accept the next seal's claim. */
  chainUnknown: boolean;
  lastTo: number;
  pending: Leaf[];
  seals: number;
  sealedEvents: number;
  expiredEvents: number;
}

/** Largest number of swap hypotheses tried on failing chunks. */
const MAX_SWAP_TRIALS = 20_000;

/**
 * How early, before its window ends by the verifier's clock, a missing event still counts
 * as expired: the clocks of the host that recorded it and of the verifier may differ.
 * Deleting an event within its last hour is the most this lets go unnoticed.
 */
export const EXPIRY_CLOCK_SKEW_MS = 3_600_000;

export interface LedgerVerifierOptions {
  /** Largest number of disagreements kept; default 100. */
  readonly maxDisagreements?: number;
  /** The verifier's time, for retention windows. Default: when the verifier was made. */
  readonly now?: Date;
  /** Default {@link EXPIRY_CLOCK_SKEW_MS}. */
  readonly expiryClockSkewMs?: number;
}

/**
 * Recomputes a log against its seals, entry by entry in global log order (pure: the
 * caller reads the store). Per tenant it hashes every envelope again, checks each seal's
 * signature and chain link, and compares each seal's positions and Merkle root with the
 * log; a disagreement is pinned to the first position that explains it.
 */
export class LedgerVerifier {
  private readonly tenants = new Map<string, TenantState>();
  private readonly found: Disagreement[] = [];
  private events = 0;
  private sealsChecked = 0;
  private expired = 0;
  private dropped = 0;
  private lastPosition = 0;
  private readonly maxDisagreements: number;
  private readonly now: number;
  private readonly skewMs: number;

  constructor(
    private readonly key: SealPublicKey,
    options: LedgerVerifierOptions = {},
  ) {
    this.maxDisagreements = options.maxDisagreements ?? 100;
    this.now = (options.now ?? new Date()).getTime();
    this.skewMs = options.expiryClockSkewMs ?? EXPIRY_CLOCK_SKEW_MS;
  }

  /** Next entry; entries must come in increasing position. */
  add(entry: LedgerEntry): void {
    if (entry.position <= this.lastPosition)
      throw new RangeError(`entries out of order at position ${entry.position}`);
    this.lastPosition = entry.position;
    const state = this.state(entry.tenantId);
    if (isLedgerStream(entry.tenantId, entry.streamId)) {
      this.sealsChecked++;
      this.checkSeal(state, entry);
      return;
    }
    this.events++;
    let hex = entry.hash;
    if (entry.data !== undefined) hex = createHash('sha256').update(entry.data).digest('hex');
    state.pending.push({
      position: entry.position,
      eventHash: Buffer.from(hex, 'hex'),
      matchesRecorded: hex === entry.hash,
      recorded: entry.hash,
    });
  }

  report(): VerificationReport {
    const disagreements = [...this.found].sort((a, b) => a.position - b.position);
    return {
      ok: disagreements.length === 0,
      checkedEvents: this.events,
      checkedSeals: this.sealsChecked,
      expiredEvents: this.expired,
      tenants: [...this.tenants.values()].map((s) => ({
        tenantId: s.tenantId,
        seals: s.seals,
        sealedEvents: s.sealedEvents,
        sealedThrough: s.lastTo,
        lastSealHash: s.lastSealHash,
        unsealedEvents: s.pending.length,
        expiredEvents: s.expiredEvents,
      })),
      firstDisagreement: disagreements[0] ?? null,
      disagreements,
      truncated: this.dropped > 0,
    };
  }

  private state(tenantId: string): TenantState {
    let s = this.tenants.get(tenantId);
    if (!s) {
      s = {
        tenantId,
        nextSequence: 0,
        lastSealHash: null,
        chainUnknown: false,
        lastTo: 0,
        pending: [],
        seals: 0,
        sealedEvents: 0,
        expiredEvents: 0,
      };
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  private note(d: Omit<Disagreement, 'positions'> & { positions?: readonly number[] }): void {
    if (this.found.length >= this.maxDisagreements) {
      this.dropped++;
      return;
    }
    this.found.push({ ...d, positions: d.positions ?? [d.position] });
  }

  private checkSeal(state: TenantState, entry: LedgerEntry): void {
    const tenantId = state.tenantId;
    const forged = (message: string, sequence: number | null = null): void =>
      this.note({
        kind: 'forged-seal',
        tenantId,
        position: entry.position,
        sealSequence: sequence,
        message,
      });
    if (entry.data === undefined) return; // a pruned seal: its successor's chain link still covers it
    let doc: SealDocument | null = null;
    let envelopeTenant: unknown;
    let annex: unknown;
    try {
      const envelope = JSON.parse(Buffer.from(entry.data).toString('utf8')) as {
        tenantId?: unknown;
        data?: unknown;
        retention?: unknown;
      };
      envelopeTenant = envelope.tenantId;
      annex = envelope.retention;
      doc = parseSealDocument(envelope.data);
    } catch {
      doc = null;
    }
    if (doc === null) return forged('not a readable seal');
    const payload = payloadOf(doc);
    if (!sealSignatureValid(payload, doc.signature, this.key))
      return this.skipForged(state, payload, () =>
        forged(
          `seal ${payload.sequence}: signature does not verify with seal key ${this.key.keyId}`,
          payload.sequence,
        ),
      );
    if (payload.tenantId !== tenantId || envelopeTenant !== tenantId)
      return forged(`a seal of tenant ${payload.tenantId} in the ledger of ${tenantId}`);
    if (payload.toPosition >= entry.position || payload.afterPosition >= payload.toPosition)
      return forged(`seal ${payload.sequence}: covers positions it could not have seen`);
    // A seal without an annex (older seals, sealers without retention windows) simply
    // cannot vouch for expired events; a bad annex is itself tampering.
    let retention: CheckedRetention | null = null;
    if (annex !== undefined) {
      const checked = checkSealRetention(annex, doc, this.key);
      if (typeof checked === 'string')
        forged(`seal ${payload.sequence}: ${checked}`, payload.sequence);
      else retention = checked;
    }

    const chain = (message: string): void =>
      this.note({
        kind: 'broken-chain',
        tenantId,
        position: entry.position,
        sealSequence: payload.sequence,
        message,
      });
    if (payload.sequence < state.nextSequence) {
      chain(`seal ${payload.sequence} appears again after seal ${state.nextSequence - 1}`);
      return;
    }
    if (payload.sequence > state.nextSequence) {
      chain(
        `seal ${state.nextSequence}${payload.sequence - 1 > state.nextSequence ? `..${payload.sequence - 1}` : ''} missing before seal ${payload.sequence} (deleted from the ledger); positions ${state.lastTo + 1}..${payload.afterPosition} cannot be checked`,
      );
    } else if (!state.chainUnknown && payload.prevSealHash !== state.lastSealHash) {
      chain(
        `seal ${payload.sequence} does not chain to seal ${payload.sequence - 1}: a seal was replaced`,
      );
    } else if (payload.afterPosition !== state.lastTo) {
      chain(
        `seal ${payload.sequence} starts after position ${payload.afterPosition}, the previous seal ended at ${state.lastTo}`,
      );
    }
    // Events before this seal's range belong to a seal that is missing: unverifiable.
    state.pending = state.pending.filter((l) => l.position > payload.afterPosition);
    this.compareRange(state, payload, entry.position, retention);
    this.advance(state, payload, sealHash(payload));
  }

  /** A forged seal cannot be trusted, but its claimed range tells where the real chain resumes. */
  private skipForged(state: TenantState, payload: SealPayload, report: () => void): void {
    report();
    if (payload.tenantId !== state.tenantId || payload.sequence < state.nextSequence) return;
    state.pending = state.pending.filter((l) => l.position > payload.toPosition);
    state.nextSequence = payload.sequence + 1;
    state.lastTo = Math.max(state.lastTo, payload.toPosition);
    state.lastSealHash = null;
    state.chainUnknown = true;
  }

  private advance(state: TenantState, payload: SealPayload, hash: string): void {
    state.pending = state.pending.filter((l) => l.position > payload.toPosition);
    state.nextSequence = payload.sequence + 1;
    state.lastSealHash = hash;
    state.chainUnknown = false;
    state.lastTo = payload.toPosition;
    state.seals++;
    state.sealedEvents += payload.eventCount;
  }

  private compareRange(
    state: TenantState,
    seal: SealPayload,
    sealPosition: number,
    retention: CheckedRetention | null,
  ): void {
    const tenantId = state.tenantId;
    const runTotal = seal.positions.reduce((n, [a, b]) => n + (b - a + 1), 0);
    const chunkCount = Math.ceil(seal.eventCount / seal.chunkSize);
    const chunkRoots = seal.chunkRoots.map((h) => Buffer.from(h, 'hex'));
    if (
      runTotal !== seal.eventCount ||
      chunkRoots.length !== chunkCount ||
      merkleRoot(chunkRoots).toString('hex') !== seal.root
    ) {
      this.note({
        kind: 'forged-seal',
        tenantId,
        position: sealPosition,
        sealSequence: seal.sequence,
        message: `seal ${seal.sequence} is inconsistent with itself`,
      });
      return;
    }
    const expected = expandRuns(seal.positions);
    const leaves = state.pending.filter((l) => l.position <= seal.toPosition);
    const byPosition = new Map(leaves.map((l) => [l.position, l]));
    const expectedSet = new Set(expected);
    const at = (kind: DisagreementKind, position: number, message: string, positions?: number[]) =>
      this.note({ kind, tenantId, position, positions, sealSequence: seal.sequence, message });

    for (const l of leaves)
      if (!expectedSet.has(l.position))
        at(
          'inserted',
          l.position,
          `event at position ${l.position} is not in seal ${seal.sequence}`,
        );
    expected.forEach((p, i) => {
      if (byPosition.has(p)) return;
      // Gone from the log: accepted only as expired by retention, and then known by the
      // hash its seal's annex kept, so the chunk roots still check every other event.
      const kept = retention?.leaf(i);
      if (kept?.expiresAt != null && this.now >= kept.expiresAt - this.skewMs) {
        const eventHash = Buffer.from(kept.hash, 'hex');
        byPosition.set(p, { position: p, eventHash, matchesRecorded: true, recorded: kept.hash });
        state.expiredEvents++;
        this.expired++;
        return;
      }
      const window =
        kept?.expiresAt != null
          ? ` (${kept.category} event recorded ${new Date(kept.recordedAt).toISOString()}, within its retention until ${new Date(kept.expiresAt).toISOString()})`
          : '';
      at(
        'deleted',
        p,
        `event at position ${p} sealed by seal ${seal.sequence} is missing${window}`,
      );
    });

    // Envelope bytes that no longer hash to their recorded hash: pinned exactly, and two
    // that swapped places are told apart from a change.
    const mismatched = leaves.filter((l) => !l.matchesRecorded);
    const swapped = new Set<number>();
    for (const a of mismatched) {
      if (swapped.has(a.position)) continue;
      const b = mismatched.find(
        (o) =>
          o !== a &&
          !swapped.has(o.position) &&
          o.eventHash.toString('hex') === a.recorded &&
          a.eventHash.toString('hex') === o.recorded,
      );
      if (b) {
        swapped.add(a.position).add(b.position);
        at(
          'reordered',
          a.position,
          `events at positions ${a.position} and ${b.position} swapped places`,
          [a.position, b.position],
        );
      }
    }
    for (const l of mismatched)
      if (!swapped.has(l.position))
        at('changed', l.position, `envelope bytes at position ${l.position} changed since append`);

    // Chunks whose positions are all present but whose root differs: content changed
    // with its recorded hash rewritten to match, or events swapped.
    const failing: { index: number; positions: number[] }[] = [];
    for (let k = 0; k < chunkCount; k++) {
      const positions = expected.slice(k * seal.chunkSize, (k + 1) * seal.chunkSize);
      if (!positions.every((p) => byPosition.has(p))) continue;
      if (positions.some((p) => !byPosition.get(p)!.matchesRecorded)) continue;
      const root = merkleRoot(positions.map((p) => eventLeaf(p, byPosition.get(p)!.eventHash)));
      if (!root.equals(chunkRoots[k])) failing.push({ index: k, positions });
    }
    if (failing.length === 0) return;
    const swap = failing.length <= 2 ? this.findSwap(failing, byPosition, chunkRoots) : null;
    if (swap) {
      at(
        'reordered',
        swap[0],
        `events at positions ${swap[0]} and ${swap[1]} swapped places`,
        swap,
      );
      return;
    }
    for (const f of failing) {
      const first = f.positions[0];
      const last = f.positions[f.positions.length - 1];
      at(
        'changed',
        first,
        `envelope bytes changed among positions ${first}..${last} (seal ${seal.sequence}, chunk ${f.index}): the bytes and their recorded hash were both rewritten`,
        f.positions,
      );
    }
  }

  /** Tries every swap of two events within the failing chunks; the pair that restores their roots. */
  private findSwap(
    failing: readonly { index: number; positions: number[] }[],
    byPosition: ReadonlyMap<number, Leaf>,
    chunkRoots: readonly Buffer[],
  ): [number, number] | null {
    const all = failing.flatMap((f) => f.positions.map((p) => ({ p, chunk: f.index })));
    const rootOf = (positions: readonly number[], a: number, b: number): Buffer =>
      merkleRoot(
        positions.map((p) => {
          const source = p === a ? b : p === b ? a : p;
          return eventLeaf(p, byPosition.get(source)!.eventHash);
        }),
      );
    let trials = 0;
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        // Both failing chunks must contain one of the pair.
        if (failing.length === 2 && all[i].chunk === all[j].chunk) continue;
        if (++trials > MAX_SWAP_TRIALS) return null;
        const a = all[i].p;
        const b = all[j].p;
        if (failing.every((f) => rootOf(f.positions, a, b).equals(chunkRoots[f.index])))
          return [a, b];
      }
    }
    return null;
  }
}
