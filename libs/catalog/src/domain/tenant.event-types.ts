import { list, oneOf } from './field.builders';
import { defineSystemEvent } from './system-event.builder';
import { actorKeyId, at, keyId, nullable, tenantId } from './system-event.fields';

/** Roles an API key can hold. */
export const API_KEY_ROLES = [
  'producer',
  'reader',
  'privacy-admin',
  'tenant-admin',
  'operator',
] as const;

/**
 * The tenant's lifecycle (on `t-{tenant}-tenant`, appended with the expected revision:
 * created → opted in → deletion scheduled ⇄ cancelled → deleted) and its API keys (on
 * `t-{tenant}-access`). How to add one: libs/catalog/README.md.
 */
export const TENANT_EVENTS = {
  created: defineSystemEvent({
    type: 'tenant.TenantCreated',
    category: 'tenant',
    description: 'A tenant was created.',
    data: { tenantId: tenantId(), actorKeyId: actorKeyId() },
    audit: { entity: 'Tenant', action: 'create' },
  }),
  optedIn: defineSystemEvent({
    type: 'tenant.TenantOptedIn',
    category: 'tenant',
    description: 'A tenant opted in to data collection (nothing is collected before).',
    data: { optedInAt: at('When the tenant opted in.'), actorKeyId: actorKeyId() },
    audit: { entity: 'Tenant', action: 'enable' },
  }),
  deletionScheduled: defineSystemEvent({
    type: 'tenant.TenantDeletionScheduled',
    category: 'tenant',
    description:
      "A tenant's deletion was scheduled: its key is shredded once `dueAt` has passed, unless the deletion is cancelled first.",
    data: {
      requestedAt: at('When the deletion was asked for.'),
      dueAt: at('When the tenant key will be shredded (requestedAt plus the grace period).'),
      actorKeyId: actorKeyId(),
    },
    audit: { entity: 'Tenant', action: 'other', actionName: 'Deletion Scheduled' },
  }),
  deletionCancelled: defineSystemEvent({
    type: 'tenant.TenantDeletionCancelled',
    category: 'tenant',
    description: 'A scheduled tenant deletion was cancelled.',
    data: { actorKeyId: actorKeyId() },
    audit: { entity: 'Tenant', action: 'other', actionName: 'Deletion Cancelled' },
  }),
  deleted: defineSystemEvent({
    type: 'tenant.TenantDeleted',
    category: 'tenant',
    description:
      "A tenant's deletion came due: recorded first, then its key is shredded, which makes all its personal data unreadable.",
    data: { deletedAt: at('When the deletion was carried out.'), actorKeyId: actorKeyId() },
    audit: { entity: 'Tenant', action: 'delete' },
  }),
  apiKeyCreated: defineSystemEvent({
    type: 'tenant.ApiKeyCreated',
    category: 'tenant',
    description: "An API key was created (on the tenant's access stream).",
    data: {
      keyId: keyId('Public id of the new key.'),
      roles: list(oneOf(API_KEY_ROLES, { seed: null, description: 'A role.' }), {
        seed: null,
        description: 'Roles of the key.',
        minItems: 1,
        maxItems: API_KEY_ROLES.length,
        uniqueItems: true,
      }),
      expiresAt: nullable('When the key stops working; null: never.', {
        maxLength: 40,
        format: 'date-time',
      }),
      actorKeyId: actorKeyId(),
    },
    audit: { entity: 'API Key', action: 'create' },
  }),
  apiKeyRevoked: defineSystemEvent({
    type: 'tenant.ApiKeyRevoked',
    category: 'tenant',
    description: "An API key was revoked (on the tenant's access stream).",
    data: { keyId: keyId('Public id of the revoked key.'), actorKeyId: actorKeyId() },
    audit: { entity: 'API Key', action: 'delete' },
  }),
} as const;

/** Type names of the tenant records. */
export const TENANT_EVENT = {
  created: TENANT_EVENTS.created.type,
  optedIn: TENANT_EVENTS.optedIn.type,
  deletionScheduled: TENANT_EVENTS.deletionScheduled.type,
  deletionCancelled: TENANT_EVENTS.deletionCancelled.type,
  deleted: TENANT_EVENTS.deleted.type,
  apiKeyCreated: TENANT_EVENTS.apiKeyCreated.type,
  apiKeyRevoked: TENANT_EVENTS.apiKeyRevoked.type,
} as const;
