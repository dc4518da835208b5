import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@authtrail/auth';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { CREDENTIAL_STORE, CredentialStore } from '@authtrail/key-vault';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CLOCK, Clock, Metrics, WorkerStatusBoard, degradedWorkers } from '@authtrail/platform';

/** Liveness/readiness and Prometheus metrics: no key, no tenant data. */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CREDENTIAL_STORE) private readonly credentials: CredentialStore,
    private readonly metrics: Metrics,
    private readonly board: WorkerStatusBoard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('healthz')
  @Public()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks: Record<string, string> = {};
    await Promise.all([
      this.store.headPosition().then(
        () => (checks.eventStore = 'ok'),
        () => (checks.eventStore = 'failing'),
      ),
      this.credentials.findById('0000000000000000').then(
        () => (checks.keyVault = 'ok'),
        () => (checks.keyVault = 'failing'),
      ),
    ]);
    const ok = Object.values(checks).every((v) => v === 'ok');
    // Workers failing longer than the bound (Kafka out of reach…) degrade the process but
    // do not fail it: the API still takes and answers requests, and a restart would not help.
    const degraded = degradedWorkers(
      this.board.list(),
      this.clock.now(),
      this.config.healthDegradedAfterMs,
    );
    checks.workers = degraded.length === 0 ? 'ok' : 'degraded';
    void reply.status(ok ? 200 : 503);
    return {
      status: !ok ? 'failing' : degraded.length > 0 ? 'degraded' : 'ok',
      checks,
      ...(degraded.length > 0 ? { degraded } : {}),
    };
  }

  @Get('metrics')
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
