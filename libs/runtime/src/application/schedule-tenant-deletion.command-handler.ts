import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { LOGGER } from '@authtrail/platform';
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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute({
    tenantId,
    actorKeyId,
  }: ScheduleTenantDeletionCommand): Promise<TenantDeletionScheduled> {
    const state = await this.tenants.scheduleDeletion(tenantId, { keyId: actorKeyId });
    const deleted = await this.tenants.completeDeletionIfDue(tenantId, this.admin);
    this.logger.info(
      { tenantId, keyId: actorKeyId, dueAt: state.deletionDueAt },
      deleted ? 'tenant deleted: key shredded' : 'tenant deletion scheduled',
    );
    return { ...tenantView(state), deleted };
  }
}
