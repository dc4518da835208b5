import { ROLES } from '@authtrail/key-vault';

const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const roles = { type: 'array', items: { type: 'string', enum: [...ROLES] } } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, object>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});

/** `schema` with more properties that answers may leave out. */
const withOptional = (schema: ReturnType<typeof obj>, optional: Record<string, object>) => ({
  ...schema,
  properties: { ...schema.properties, ...optional },
});

/**
 * Request and answer shapes of the routes that are TypeScript interfaces in the code
 * (no runtime schema to derive from): kept beside the `*.openapi.ts` bundles, and checked
 * against real answers by test/e2e/openapi.e2e-spec.ts.
 */
export const COMPONENT_SCHEMAS: Record<string, object> = {
  FieldError: {
    type: 'object',
    description:
      'One offending field: index of the item in the batch, JSON pointer (or parameter name) path',
    properties: { index: { type: 'integer', minimum: 0 }, path: str, message: str },
    required: ['path', 'message'],
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details (application/problem+json)',
    properties: {
      type: { type: 'string', description: 'urn:authtrail:problem:<code>' },
      title: str,
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: str,
      code: { type: 'string', description: 'stable machine code, e.g. REQUEST.INVALID' },
      instance: str,
      errors: { type: 'array', items: ref('FieldError') },
      retryAfterSeconds: { type: 'integer', description: 'with 429' },
    },
    required: ['type', 'title', 'status', 'code'],
  },
  IngestResult: obj({ accepted: count, duplicates: count }),
  EntraImportResult: obj({
    received: count,
    accepted: count,
    duplicates: count,
    skipped: count,
    skippedBy: {
      type: 'object',
      description: 'per reason, per activity or category: how many records were skipped',
      additionalProperties: { type: 'object', additionalProperties: count },
    },
    rejected: count,
    errors: { type: 'array', items: ref('FieldError') },
  }),
  EntraRecord: {
    type: 'object',
    description: 'A Graph directoryAudit or an Azure Monitor AuditLogs record',
    additionalProperties: true,
  },
  SubjectRequest: obj(
    { userPrincipalName: { type: 'string', minLength: 1, maxLength: 320 } },
    { additionalProperties: false },
  ),
  PersonRequest: {
    description:
      'The person to erase or export: by user principal name, or by the display name a privacy admin sees (the one person shown under it; a name two people share is a 409)',
    oneOf: [
      { $ref: '#/components/schemas/SubjectRequest' },
      obj(
        { displayName: { type: 'string', minLength: 1, maxLength: 320 } },
        { additionalProperties: false },
      ),
    ],
  },
  ErasureResult: obj({
    subjectId: { type: ['string', 'null'] },
    erasedAt: nullableTime,
    events: count,
  }),
  ErasureView: withOptional(
    obj({
      subjectId: str,
      requestedAt: time,
      erasedAt: nullableTime,
      events: { type: ['integer', 'null'], minimum: 0 },
      status: {
        type: 'string',
        enum: ['erased', 'pending', 'deferred'],
        description:
          'pending: cut off by a crash, finished at the next start; deferred: a legal hold covers the person',
      },
      actorKeyId: { type: ['string', 'null'] },
    }),
    {
      deferredBy: {
        type: 'array',
        items: str,
        description: 'deferred only: the holds in force that cover the person',
      },
      surfaces: ref('ErasureSurfaces'),
    },
  ),
  ErasureSurfaces: {
    ...obj({
      keyVault: { type: 'string', enum: ['done'] },
      readModel: { type: 'string', enum: ['done', 'pending', 'unknown'] },
      siem: { type: 'string', enum: ['done', 'pending', 'unknown', 'off'] },
    }),
    description:
      "Erased only: the person's key went before the erasure was recorded, so every copy is unreadable; these are the copies outside the log being cleaned up. readModel: the report tables list the person as erased and hold none of their ciphertext (their pseudonymous facts stay: counts keep them); siem: the SIEM forwarder's batch holding the erasure was acknowledged by the sink, with Kafka the identity topic's tombstone of the person (off: no SIEM sink in this API's configuration). pending until then, unknown when it cannot be told now (a store that does not answer)",
  },
  ErasureReceipt: obj({
    format: { type: 'string', enum: ['authtrail.erasure-receipt.v1'] },
    tenantId: str,
    subjectId: str,
    keyDestroyedAt: time,
    events: count,
    sealHead: {
      type: ['object', 'null'],
      properties: {
        sequence: { type: 'integer' },
        sealHash: str,
        toPosition: { type: 'integer' },
        sealedAt: time,
      },
      required: ['sequence', 'sealHash', 'toPosition', 'sealedAt'],
    },
    logVerified: { type: 'boolean' },
    verifiedAt: time,
    checkedSeals: count,
    keyId: str,
    signature: {
      type: 'string',
      description: 'base64 Ed25519 over the canonical JSON of the rest',
    },
  }),
  ErasureList: obj({ items: { type: 'array', items: ref('ErasureView') } }),
  SubjectExport: {
    type: 'object',
    description:
      'Every stored event about the person: their own fields decrypted, other people as subject ids',
    additionalProperties: true,
  },
  SubjectEvents: {
    type: 'object',
    description: 'Events about a subject id; names only for privacy-admin, erased people marked',
    additionalProperties: true,
  },
  LegalHoldRequest: {
    oneOf: [
      {
        type: 'object',
        properties: {
          scope: { type: 'string', enum: ['person'] },
          userPrincipalName: { type: 'string', minLength: 1, maxLength: 320 },
          caseReference: {
            type: 'string',
            maxLength: 128,
            pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:/#-]*$',
          },
        },
        required: ['scope', 'userPrincipalName', 'caseReference'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          scope: { type: 'string', enum: ['tenant'] },
          caseReference: {
            type: 'string',
            maxLength: 128,
            pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:/#-]*$',
          },
        },
        required: ['scope', 'caseReference'],
        additionalProperties: false,
      },
    ],
  },
  LegalHold: obj({
    holdId: str,
    scope: { type: 'string', enum: ['person', 'tenant'] },
    subjectId: { type: ['string', 'null'], description: 'null for a tenant hold' },
    caseReference: str,
    placedAt: time,
    placedBy: str,
    releasedAt: nullableTime,
    releasedBy: { type: ['string', 'null'] },
  }),
  LegalHoldList: obj({
    items: {
      type: 'array',
      items: {
        allOf: [
          ref('LegalHold'),
          {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['active', 'released'] },
              deferredErasures: { type: 'array', items: str },
            },
            required: ['status', 'deferredErasures'],
          },
        ],
      },
    },
  }),
  LegalHoldRelease: obj({
    hold: ref('LegalHold'),
    erasures: { type: 'array', items: ref('ErasureResult') },
  }),
  CreateTenantRequest: obj({ tenantId: str }),
  CreatedTenant: obj({ tenantId: str, adminKey: { type: 'string', description: 'shown once' } }),
  Tenant: obj({
    tenantId: str,
    optedIn: { type: 'boolean' },
    optedInAt: nullableTime,
    deletionDueAt: nullableTime,
  }),
  TenantDeletionScheduled: obj({
    tenantId: str,
    optedIn: { type: 'boolean' },
    optedInAt: nullableTime,
    deletionDueAt: nullableTime,
    deleted: {
      type: 'boolean',
      description: "grace period 0: the tenant's key is already shredded",
    },
  }),
  CreateKeyRequest: {
    type: 'object',
    properties: {
      roles: { ...roles, minItems: 1 },
      name: { type: 'string', maxLength: 100 },
      expiresAt: nullableTime,
    },
    required: ['roles'],
    additionalProperties: false,
  },
  CreatedKey: obj({
    id: str,
    key: { type: 'string', description: 'the secret, shown once' },
    roles,
    name: str,
    createdAt: time,
    expiresAt: nullableTime,
  }),
  Key: obj({
    id: str,
    name: str,
    roles,
    createdAt: time,
    expiresAt: nullableTime,
    revokedAt: nullableTime,
    lastUsedAt: nullableTime,
  }),
  KeyList: obj({ items: { type: 'array', items: ref('Key') } }),
  WhoAmI: obj({ tenantId: str, keyId: str, roles }),
  ReportInfo: obj({
    service: { type: 'string', enum: ['sspr', 'mfa'] },
    name: str,
    path: str,
    title: str,
    defaultDays: { type: ['integer', 'null'] },
    columns: { type: 'array', items: str },
  }),
  ReportList: obj({ items: { type: 'array', items: ref('ReportInfo') } }),
  SealKey: obj({
    format: { type: 'string', enum: ['authtrail.seal-key.v1'] },
    algorithm: { type: 'string', enum: ['Ed25519'] },
    keyId: str,
    publicKeyPem: str,
  }),
  LedgerVerification: {
    type: 'object',
    description: 'ok, and on failure the first position where log and seals disagree',
    properties: { ok: { type: 'boolean' } },
    required: ['ok'],
  },
  SealList: {
    type: 'object',
    description: 'format authtrail.seals.v1: the signed seals in chain order',
    additionalProperties: true,
  },
  Diagnostics: {
    type: 'object',
    description: 'Pseudonymous diagnostics bundle: counts, codes, positions and ids',
    additionalProperties: true,
  },
  Catalog: obj({
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: str,
          category: str,
          schemaVersion: { type: 'integer' },
          producerPostable: { type: 'boolean' },
          jsonSchema: { type: 'object' },
        },
        required: ['type', 'category', 'schemaVersion', 'producerPostable', 'jsonSchema'],
      },
    },
  }),
  JsonSchema: { type: 'object', description: 'JSON Schema (draft-07) of one event type' },
};
