import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { Category, PRUNED_CATEGORIES, configuredRetentionDays } from '@authtrail/catalog';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EVENT_RETENTION, EventRetention } from '@authtrail/event-store';
import { CLOCK, Clock, LOGGER } from '@authtrail/platform';
import { LegalHoldScope } from '@authtrail/privacy';

/**
 * The retention job, with the seeds' windows (seed 000: MFA data 90 days; seed 003: audit
 * data one year, then deleted automatically): deletes events past their category's window
 * from the log (their hashes stay, so seals still verify). ClickHouse drops the same rows by TTL and every
 * report filters by the same cutoff, so reports and log agree. With EventStoreDB the
 * store enforces `$maxAge` itself and this job has nothing to do. What a legal hold
 * covers (a tenant, or the events naming a held person) is skipped while the hold is in
 * force and pruned by the first run after its release.
 */
@Injectable()
export class RetentionService {
  constructor(
    @Optional() @Inject(EVENT_RETENTION) private readonly retention: EventRetention | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly holds: LegalHoldScope,
  ) {}

  /** Window of a pruned category; access records (audit data) follow the longer one. */
  days(category: Category): number {
    return configuredRetentionDays(this.config.retention, category);
  }

  get enabled(): boolean {
    return this.retention !== null && this.retention !== undefined;
  }

  async run(): Promise<Record<string, number>> {
    const pruned: Record<string, number> = {};
    if (!this.retention) return pruned;
    const now = this.clock.now();
    const held = await this.holds.exemptions();
    for (const category of PRUNED_CATEGORIES) {
      const cutoff = new Date(now.getTime() - this.days(category) * 86_400_000);
      pruned[category] = await this.retention.prune(`${category}.`, cutoff, held);
    }
    if (Object.values(pruned).some((n) => n > 0))
      this.logger.info(
        { pruned, heldTenants: held.tenants.length, heldSubjects: held.subjects.length },
        'retention: pruned events past their window',
      );
    return pruned;
  }
}
