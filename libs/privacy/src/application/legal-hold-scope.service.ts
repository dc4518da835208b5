import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore, RetentionExemptions } from '@authtrail/event-store';
import { KEY_VAULT, KeyVault } from '@authtrail/key-vault';
import { heldScopeOf, holdsOf } from '../domain/legal-hold';
import { readPrivacyLog } from './privacy-log';

/**
 * What the holds in force cover, over every tenant (those with a key: a tenant without
 * one holds nobody's data): the retention job leaves it alone until the holds are released.
 */
@Injectable()
export class LegalHoldScope {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  /** Ids of the holds in force in the tenant, of either scope (a tenant deletion waits for them). */
  async holdsInForce(tenantId: string): Promise<string[]> {
    const { records } = await readPrivacyLog(this.store, tenantId);
    return holdsOf(records)
      .filter((h) => h.releasedAt === null)
      .map((h) => h.holdId);
  }

  async exemptions(): Promise<RetentionExemptions> {
    const tenants: string[] = [];
    const subjects: { tenantId: string; subjectId: string }[] = [];
    for (const { tenantId } of await this.vault.listTenantKeys()) {
      const { records } = await readPrivacyLog(this.store, tenantId);
      const scope = heldScopeOf(tenantId, holdsOf(records));
      tenants.push(...scope.tenants);
      subjects.push(...scope.subjects);
    }
    return { tenants, subjects };
  }
}
