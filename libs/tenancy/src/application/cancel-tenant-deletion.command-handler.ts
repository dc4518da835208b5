import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { LOGGER } from '@authtrail/platform';
import { TenantView, tenantView } from './tenant-requests';
import { TenantsService } from './tenants.service';

/** `POST /v1/tenant/cancel-deletion` (tenant-admin). */
export class CancelTenantDeletionCommand {
  constructor(
    readonly tenantId: string,
    readonly actorKeyId: string,
  ) {}
}

/** Cancels a scheduled deletion before it is due; the log line says who did. */
@CommandHandler(CancelTenantDeletionCommand)
export class CancelTenantDeletionHandler implements ICommandHandler<
  CancelTenantDeletionCommand,
  TenantView
> {
  constructor(
    private readonly tenants: TenantsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute({ tenantId, actorKeyId }: CancelTenantDeletionCommand): Promise<TenantView> {
    const state = await this.tenants.cancelDeletion(tenantId, { keyId: actorKeyId });
    this.logger.info({ tenantId, keyId: actorKeyId }, 'tenant deletion cancelled');
    return tenantView(state);
  }
}
