import { Type } from '@sinclair/typebox';
import { dateTime, list, text } from './field.builders';
import { defineSystemEvent } from './system-event.builder';
import { count, sha256Hex, tenantId } from './system-event.fields';

/**
 * The tenant's seal chain on `t-{tenant}-ledger` (docs/ledger.md). The data is the seal
 * document exactly as published (`GET /v1/ledger/seals`, the seals topic); the retention
 * annex the sealer keeps beside `data` in the envelope is not part of it. How to add one:
 * libs/catalog/README.md.
 */
export const LEDGER_EVENTS = {
  sealed: defineSystemEvent({
    type: 'ledger.Sealed',
    category: 'ledger',
    description:
      "A signed seal over the tenant's next range of the log (tamper evidence, docs/ledger.md).",
    data: {
      format: Type.Literal('authtrail.seal.v1', {
        description: 'Seal format; a new shape gets a new tag.',
      }),
      tenantId: tenantId(),
      sequence: count("Number of the seal in the tenant's chain, from 0."),
      afterPosition: count(
        "Seals the events after this global log position (the previous seal's toPosition).",
      ),
      toPosition: count('Last global log position covered.'),
      eventCount: count("Events covered (the tenant's own seals excluded)."),
      positions: list(
        list(count('Global log position.'), {
          seed: null,
          description: 'First and last position of a run.',
          minItems: 2,
          maxItems: 2,
        }),
        {
          seed: null,
          description: 'The covered positions as inclusive runs [first, last].',
          maxItems: 100_000,
        },
      ),
      chunkSize: count('Leaves per chunk root (a power of two).'),
      chunkRoots: list(sha256Hex('Merkle root of one chunk of leaves, hex.'), {
        seed: null,
        description:
          'Roots of consecutive chunks of leaves; verify pins a disagreement to one chunk.',
        maxItems: 100_000,
      }),
      root: sha256Hex(
        'Merkle root (RFC 9162 shape) over the leaves SHA-256(0x00 ‖ uint64be(position) ‖ SHA-256(envelope)), hex.',
      ),
      prevSealHash: Type.Unsafe<string | null>({
        type: ['string', 'null'],
        description: "SHA-256 of the previous seal's signed bytes, hex; null for the first seal.",
        pattern: '^[0-9a-f]{64}$',
      }),
      sealedAt: dateTime({ seed: null, description: 'When the seal was made.' }),
      keyId: text({
        seed: null,
        description:
          'Id of the signing key: first 16 hex digits of SHA-256 of the raw Ed25519 public key.',
        maxLength: 16,
        pattern: '^[0-9a-f]{16}$',
      }),
      signature: text({
        seed: null,
        description: 'Ed25519 signature of the canonical JSON of every other field, base64.',
        maxLength: 1024,
        pattern: '^[A-Za-z0-9+/=_-]+$',
      }),
    },
    audit: { entity: 'Ledger Seal', action: 'create' },
  }),
} as const;

/** Type names of the ledger records. */
export const LEDGER_EVENT = {
  sealed: LEDGER_EVENTS.sealed.type,
} as const;
