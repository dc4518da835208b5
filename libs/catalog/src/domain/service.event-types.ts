import { Type, type TProperties } from '@sinclair/typebox';
import type { Category, EventTypeDefinition } from './catalog.types';
import { defineEventType } from './event-definition.builder';
import { MAX, dateTime, int, list, oneOf, text } from './field.builders';

/**
 * The service's own records (privacy, tenant, access, ledger). authtrail writes them;
 * producers cannot post them. They hold no personal data: people appear as subject ids,
 * admins as the id of the API key they used.
 */

export const API_KEY_ROLES = [
  'producer',
  'reader',
  'privacy-admin',
  'tenant-admin',
  'operator',
] as const;

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';

const subjectId = () =>
  text({
    seed: null,
    description: 'Random subject id of the person (never derived from their name).',
    maxLength: MAX.code,
    pattern: ID_PATTERN,
  });
const requestedBy = () =>
  text({
    seed: null,
    description: 'Id of the API key that asked for it, or "system" for scheduled work.',
    maxLength: MAX.code,
    pattern: ID_PATTERN,
  });
const tenantId = () =>
  text({
    seed: null,
    description: 'The tenant.',
    maxLength: 64,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
  });
const count = (description: string) => int({ seed: null, description, minimum: 0 });
const sha256Hex = (description: string) =>
  text({ seed: null, description, minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$' });

const causationId = {
  causationId: Type.Optional(
    text({
      seed: null,
      description: 'Id of the event or request that caused this one.',
      maxLength: 128,
    }),
  ),
};

function serviceEvent(
  type: string,
  category: Exclude<Category, 'sspr' | 'mfa'>,
  description: string,
  details: TProperties,
): EventTypeDefinition {
  return defineEventType({
    type,
    category,
    seedName: 'none (recorded by authtrail)',
    description,
    producerPostable: false,
    occurredAtSeed: null,
    actor: { presence: 'none' },
    target: { presence: 'none' },
    result: {
      statuses: ['Success'],
      statusSeed: null,
      statusDescription: 'Success: the service did it.',
      reasons: null,
    },
    details: { properties: details, required: true },
    extraProperties: causationId,
  });
}

export const SERVICE_EVENT_TYPES: readonly EventTypeDefinition[] = [
  serviceEvent(
    'privacy.SubjectErasureRequested',
    'privacy',
    'A privacy admin asked to erase a person.',
    {
      subjectId: subjectId(),
      requestedBy: requestedBy(),
    },
  ),
  serviceEvent(
    'privacy.SubjectErased',
    'privacy',
    "A person's data key was deleted: their personal data is unreadable everywhere (crypto-shredding).",
    {
      subjectId: subjectId(),
      requestedBy: requestedBy(),
      eventCount: count('Stored events that held personal data of the person.'),
    },
  ),
  serviceEvent(
    'privacy.SubjectExported',
    'privacy',
    "A person's stored events were exported for a data-subject request.",
    {
      subjectId: subjectId(),
      requestedBy: requestedBy(),
      eventCount: count('Events in the export.'),
    },
  ),
  serviceEvent('tenant.TenantCreated', 'tenant', 'A tenant was created.', {
    tenantId: tenantId(),
    requestedBy: requestedBy(),
  }),
  serviceEvent(
    'tenant.TenantOptedIn',
    'tenant',
    'A tenant opted in to data collection (seed 002: nothing is collected before).',
    {
      tenantId: tenantId(),
      requestedBy: requestedBy(),
    },
  ),
  serviceEvent(
    'tenant.TenantDeletionScheduled',
    'tenant',
    "A tenant's deletion was scheduled after a grace period.",
    {
      tenantId: tenantId(),
      requestedBy: requestedBy(),
      deleteAfter: dateTime({ seed: null, description: 'When the tenant key will be shredded.' }),
    },
  ),
  serviceEvent(
    'tenant.TenantDeletionCancelled',
    'tenant',
    'A scheduled tenant deletion was cancelled.',
    {
      tenantId: tenantId(),
      requestedBy: requestedBy(),
    },
  ),
  serviceEvent(
    'tenant.TenantDeleted',
    'tenant',
    "A tenant's key was shredded: all its personal data is unreadable.",
    {
      tenantId: tenantId(),
      requestedBy: requestedBy(),
      subjectCount: Type.Optional(count('Subjects whose keys were deleted with the tenant.')),
    },
  ),
  serviceEvent('tenant.ApiKeyCreated', 'tenant', 'An API key was created.', {
    keyId: text({
      seed: null,
      description: 'Public id of the new key.',
      maxLength: MAX.code,
      pattern: ID_PATTERN,
    }),
    roles: list(oneOf(API_KEY_ROLES, { seed: null, description: 'A role.' }), {
      seed: null,
      description: 'Roles of the key.',
      minItems: 1,
      maxItems: API_KEY_ROLES.length,
      uniqueItems: true,
    }),
    name: Type.Optional(
      text({
        seed: null,
        description: 'Label given to the key (not a person).',
        maxLength: MAX.code,
      }),
    ),
    requestedBy: requestedBy(),
  }),
  serviceEvent('tenant.ApiKeyRevoked', 'tenant', 'An API key was revoked.', {
    keyId: text({
      seed: null,
      description: 'Public id of the revoked key.',
      maxLength: MAX.code,
      pattern: ID_PATTERN,
    }),
    requestedBy: requestedBy(),
  }),
  serviceEvent(
    'access.PersonalDataRead',
    'access',
    'Personal data was shown in clear to a privacy admin.',
    {
      requestedBy: requestedBy(),
      resource: text({
        seed: null,
        description: 'What was read, e.g. "GET /v1/audit-events".',
        maxLength: MAX.name,
      }),
      subjectIds: list(subjectId(), {
        seed: null,
        description: 'Subjects whose personal data was shown.',
        maxItems: 1000,
        uniqueItems: true,
      }),
      eventCount: Type.Optional(count('Events returned.')),
    },
  ),
  serviceEvent(
    'ledger.Sealed',
    'ledger',
    "A signed seal over the tenant's next range of the log (tamper evidence, docs/ledger.md). Stored as the envelope's data, without details/result wrappers.",
    {
      format: text({ seed: null, description: 'Seal format: authtrail.seal.v1.', maxLength: 32 }),
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
  ),
];
