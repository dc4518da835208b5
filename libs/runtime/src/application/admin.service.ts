import { Inject, Injectable } from '@nestjs/common';
import { ApiKeysService, CreatedKey, ForbiddenError, KeyView, assertRoles } from '@authtrail/auth';
import { TENANT_EVENTS } from '@authtrail/catalog';
import {
  EVENT_STORE,
  EventStore,
  NewEvent,
  accessStream,
  systemEvent,
} from '@authtrail/event-store';
import { CREDENTIAL_STORE, CredentialStore, Keyring } from '@authtrail/key-vault';
import { AppError, CLOCK, Clock, ID_SOURCE, IdSource, NotFoundError } from '@authtrail/platform';
import { TenantShredder, TenantsService } from '@authtrail/tenancy';

/**
 * Tenant and key administration that spans contexts: a tenant needs a key in the vault
 * and an admin credential; key changes are recorded as events; deleting a tenant shreds
 * its key and credentials.
 */
@Injectable()
export class AdminService implements TenantShredder {
  constructor(
    private readonly tenants: TenantsService,
    private readonly keyring: Keyring,
    private readonly keys: ApiKeysService,
    @Inject(CREDENTIAL_STORE) private readonly credentials: CredentialStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
  ) {}

  async createTenant(
    tenantId: string,
    actorKeyId: string,
  ): Promise<{ tenantId: string; adminKey: string; keyId: string }> {
    try {
      await this.tenants.create(tenantId, { keyId: actorKeyId });
    } catch (e) {
      // A creation cut off before its admin key existed is finished by a retry; a
      // tenant with credentials, or a deleted one, stays taken.
      const state = await this.tenants.load(tenantId);
      const halfCreated =
        state.exists && !state.deleted && (await this.keys.list(tenantId)).length === 0;
      if (!(e instanceof AppError && e.code === 'TENANT.EXISTS' && halfCreated)) throw e;
    }
    await this.keyring.ensureTenant(tenantId);
    const key = await this.createKey(
      tenantId,
      { roles: ['tenant-admin'], name: 'tenant admin' },
      actorKeyId,
    );
    return { tenantId, adminKey: key.key, keyId: key.id };
  }

  /**
   * `operator` is the platform's role (creating tenants), not a tenant's: only a caller
   * who already holds it may hand it out, so a tenant admin cannot promote itself.
   */
  async createKey(
    tenantId: string,
    input: { roles: unknown; name?: string; expiresAt?: Date | null },
    actorKeyId: string,
    actorRoles: readonly string[] = [],
  ): Promise<CreatedKey> {
    assertRoles(input.roles);
    if (input.roles.includes('operator') && !actorRoles.includes('operator')) {
      throw new ForbiddenError('only an operator may create keys with the operator role');
    }
    const created = await this.keys.create(tenantId, {
      roles: input.roles,
      name: input.name,
      expiresAt: input.expiresAt,
    });
    await this.record(
      tenantId,
      systemEvent(TENANT_EVENTS.apiKeyCreated, {
        eventId: this.ids.uuid(),
        tenantId,
        now: this.clock.now(),
        data: { keyId: created.id, roles: created.roles, expiresAt: created.expiresAt, actorKeyId },
      }),
    );
    return created;
  }

  async listKeys(tenantId: string): Promise<KeyView[]> {
    return this.keys.list(tenantId);
  }

  async revokeKey(tenantId: string, keyId: string, actorKeyId: string): Promise<void> {
    if (!(await this.keys.revoke(tenantId, keyId)))
      throw new NotFoundError('no such key', 'KEY.NOT_FOUND');
    await this.record(
      tenantId,
      systemEvent(TENANT_EVENTS.apiKeyRevoked, {
        eventId: this.ids.uuid(),
        tenantId,
        now: this.clock.now(),
        data: { keyId, actorKeyId },
      }),
    );
  }

  async shredTenant(tenantId: string): Promise<void> {
    await this.keyring.deleteTenant(tenantId);
    await this.credentials.deleteTenant(tenantId);
  }

  private async record(tenantId: string, event: NewEvent): Promise<void> {
    await this.store.append(tenantId, [
      { streamId: accessStream(tenantId), expectedRevision: 'any', events: [event] },
    ]);
  }
}
