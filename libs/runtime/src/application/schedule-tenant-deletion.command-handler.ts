import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { LOGGER } from '@authtrail/platform';
import { LegalHoldScope } from '@authtrail/privacy';
import { TenantView, TenantsService, tenantView } from '@authtrail/tenancy';
import { AdminService } from './admin.service';

/** `DELETE /v1/tenant`: the tenant's deletion after the grace period (tenant-admin). */
export class ScheduleTenantDeletionCommand {
  constructor(
    readonly tenantId: string,
    readonly actorKeyId: string,
  ) {}
}

export interface TenantDeletionScheduled extends TenantView {
  /** True when the grace period is 0: the tenant's key is already shredded. */
  readonly deleted: boolean;
  /** Legal holds in force that defer a due deletion until they are released (empty: none). */
  readonly deferredBy: readonly string[];
}

/** Schedules the deletion and, with a grace period of 0, deletes at once (key shredded). */
@CommandHandler(ScheduleTenantDeletionCommand)
export class ScheduleTenantDeletionHandler implements ICommandHandler<
  ScheduleTenantDeletionCommand,
  TenantDeletionScheduled
> {
  constructor(
    private readonly tenants: TenantsService,
    private readonly admin: AdminService,
    private readonly holds: LegalHoldScope,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute({
    tenantId,
    actorKeyId,
  }: ScheduleTenantDeletionCommand): Promise<TenantDeletionScheduled> {
    const state = await this.tenants.scheduleDeletion(tenantId, { keyId: actorKeyId });
    const outcome = await this.tenants.runDeletionIfDue(tenantId, this.admin, this.holds);
    const deferredBy = outcome.deleted ? [] : outcome.deferredBy;
    this.logger.info(
      { tenantId, keyId: actorKeyId, dueAt: state.deletionDueAt, deferredBy },
      outcome.deleted
        ? 'tenant deleted: key shredded'
        : deferredBy.length > 0
          ? 'tenant deletion deferred by legal hold'
          : 'tenant deletion scheduled',
    );
    return { ...tenantView(state), deleted: outcome.deleted, deferredBy };
  }
}
