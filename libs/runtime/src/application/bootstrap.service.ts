import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { ApiKeysService, keyFromConfiguredSecret } from '@authtrail/auth';
import { Keyring } from '@authtrail/key-vault';
import { LOGGER } from '@authtrail/platform';
import { TenantsService } from '@authtrail/tenancy';

export const DEFAULT_TENANT = 'default';

export interface BootstrapOutcome {
  /** The bootstrap admin key, only when it was created by this start (shown once). */
  readonly createdKey: string | null;
  readonly tenantCreated: boolean;
}

/**
 * First start: the master key (created by the keyring's loader), the tenant `default`,
 * and a bootstrap key with `operator` and `tenant-admin` of it, printed once (or taken
 * from AUTHTRAIL_BOOTSTRAP_KEY). Later starts find them and do nothing.
 */
@Injectable()
export class BootstrapService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    private readonly keyring: Keyring,
    private readonly keys: ApiKeysService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ensure(): Promise<BootstrapOutcome> {
    const state = await this.tenants.load(DEFAULT_TENANT);
    // A deleted default tenant stays deleted: no key comes back for it.
    if (state.deleted) return { createdKey: null, tenantCreated: false };
    let tenantCreated = false;
    if (!state.exists) {
      await this.tenants.create(DEFAULT_TENANT, { keyId: 'bootstrap' });
      tenantCreated = true;
      this.logger.info({ tenantId: DEFAULT_TENANT }, 'created tenant');
    }
    // Idempotent, and always run: a first start cut off after creating the tenant is
    // finished by the next one.
    await this.keyring.ensureTenant(DEFAULT_TENANT);
    const configured = this.config.bootstrapKey;
    if (configured !== null) {
      const id = keyFromConfiguredSecret(configured).id;
      if (!(await this.keys.exists(id))) {
        await this.keys.create(
          DEFAULT_TENANT,
          { roles: ['operator', 'tenant-admin'], name: 'bootstrap' },
          configured,
        );
      }
      return { createdKey: null, tenantCreated };
    }
    // The bootstrap key is shown once: created on the first start, or on the next one
    // when the first was cut off before it existed (the tenant then has no key at all).
    if (!tenantCreated && (await this.keys.list(DEFAULT_TENANT)).length > 0) {
      return { createdKey: null, tenantCreated };
    }
    const created = await this.keys.create(DEFAULT_TENANT, {
      roles: ['operator', 'tenant-admin'],
      name: 'bootstrap',
    });
    return { createdKey: created.key, tenantCreated };
  }
}

/**
 * The first start's bootstrap key, for a person at the terminal: the one output that is
 * not a JSON log line, on stderr, so it never lands in a log pipeline (logs never hold keys).
 */
export function firstStartNotice(key: string, url: string | null): string {
  const base = url ?? 'http://localhost:8080';
  return [
    '',
    'First start: created tenant "default" and its bootstrap admin key (operator, tenant-admin).',
    'It is shown only now; keep it somewhere safe:',
    '',
    `  ${key}`,
    '',
    'Next: opt the tenant in (nothing is collected before), then create a producer key:',
    `  curl -X POST -H "Authorization: Bearer $KEY" ${base}/v1/tenant/opt-in`,
    `  curl -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"roles":["producer"]}' ${base}/v1/keys`,
    '',
  ].join('\n');
}
