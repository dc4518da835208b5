import type { Logger } from 'pino';
import type { Clock, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { SIEM_TOPICS, type SiemPublisher } from '@authtrail/siem';
import type { Delivery, DetectionStore } from '../domain/detection-store.port';
import { WEBHOOK_HEADERS, webhookSignature } from '../domain/webhook-signature';
import type { Webhook, WebhookSender } from './webhook-sender.port';

export const KAFKA_DESTINATION = 'kafka';
export const webhookDestination = (w: Webhook): string => `webhook:${w.id}`;

export interface AlertDispatcherDeps {
  readonly detections: DetectionStore;
  /** The alerts topic's publisher; null without Kafka. */
  readonly kafka: SiemPublisher | null;
  readonly webhooks: readonly Webhook[];
  /** HMAC-SHA256 key of the webhook signatures. */
  readonly secret: string | null;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly board?: WorkerStatusBoard;
}

export interface AlertDispatcherOptions {
  /** Attempts of one webhook delivery before it is parked; default 10. */
  readonly maxAttempts?: number;
  /** First pause after a failed attempt (doubles each time) and the largest; defaults 1 s, 5 min. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** How often it looks for due deliveries when not woken; default 1 s. */
  readonly pollMs?: number;
  /** Deliveries handled per pass; default 200. */
  readonly batchSize?: number;
}

/** The pause before attempt `attempts + 1`: initial × 2^(attempts − 1), capped. */
export function backoffMs(attempts: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

/**
 * Delivers stored alerts (the outbox the detection worker fills): to the alerts topic
 * (key = alert id) and to each configured webhook as an HMAC-SHA256-signed POST. A failed
 * delivery is tried again with exponential backoff; a webhook delivery that failed
 * `maxAttempts` times is parked, with a log line, `authtrail_alert_deliveries_total
 * {outcome="parked"}` and a diagnostics entry. Kafka deliveries are never parked: the
 * broker coming back delivers them. Each delivery is marked once acknowledged, so a
 * restart sends only what was not acknowledged.
 */
export class AlertDispatcher {
  private readonly maxAttempts: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly hooks: Map<string, Webhook>;
  private loop: Promise<void> | null = null;
  private active = false;
  private woken = false;
  private wake: (() => void) | null = null;
  private kafkaReady = false;

  constructor(
    private readonly deps: AlertDispatcherDeps,
    options: AlertDispatcherOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.initialMs = options.backoffInitialMs ?? 1000;
    this.maxMs = options.backoffMaxMs ?? 300_000;
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.hooks = new Map(deps.webhooks.map((w) => [webhookDestination(w), w]));
    if (deps.webhooks.length > 0 && !deps.secret)
      throw new Error('webhooks need a signing secret (AUTHTRAIL_ALERT_WEBHOOK_SECRET)');
  }

  /** The destinations a new alert gets a delivery for. */
  get destinations(): string[] {
    return [...(this.deps.kafka ? [KAFKA_DESTINATION] : []), ...this.hooks.keys()];
  }

  start(): this {
    if (this.loop) return this;
    this.active = true;
    this.loop = this.run();
    return this;
  }

  /** New alerts are stored: deliver now rather than at the next poll. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.deps.kafka?.close();
  }

  /** One pass over the due deliveries; resolves with how many it handled. */
  async deliverDue(): Promise<number> {
    const due = await this.deps.detections.due(
      this.deps.clock.now().getTime(),
      this.batchSize,
      this.destinations,
    );
    if (due.length === 0) return 0;
    const kafka = due.filter((d) => d.destination === KAFKA_DESTINATION);
    const hooks = due.filter((d) => d.destination !== KAFKA_DESTINATION);
    await Promise.all([this.toKafka(kafka), ...hooks.map((d) => this.toWebhook(d))]);
    return due.length;
  }

  private async run(): Promise<void> {
    // Connected before the first alert, so that one does not wait for the handshake.
    if (this.deps.kafka !== null) {
      try {
        await this.deps.kafka.start();
        this.kafkaReady = true;
      } catch {
        // Down at start: the first delivery connects, and retries with backoff.
      }
    }
    while (this.active) {
      let handled = 0;
      try {
        handled = await this.deliverDue();
      } catch (error) {
        this.deps.logger.error(
          { worker: 'alert-dispatcher', err: { message: (error as Error).message } },
          'alert delivery pass failed; trying again',
        );
      }
      // A full batch means more are due: go on at once.
      if (handled < this.batchSize) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }

  private async toKafka(deliveries: readonly Delivery[]): Promise<void> {
    const kafka = this.deps.kafka;
    if (deliveries.length === 0 || kafka === null) return;
    try {
      if (!this.kafkaReady) {
        await kafka.start();
        this.kafkaReady = true;
      }
      await kafka.publish(
        deliveries.map((d) => ({
          topic: SIEM_TOPICS.alerts,
          key: d.alertId,
          value: d.body,
          headers: {
            'content-type': 'application/json',
            'authtrail-alert-id': d.alertId,
            'ocsf-class-uid': '2004',
          },
        })),
      );
      await this.deps.detections.delivered(deliveries);
      this.deps.metrics?.alertDeliveries.inc(
        { destination: KAFKA_DESTINATION, outcome: 'delivered' },
        deliveries.length,
      );
      this.status(KAFKA_DESTINATION, 'running', deliveries[0], 0, null);
    } catch (error) {
      this.kafkaReady = false;
      const attempts = Math.max(...deliveries.map((d) => d.attempts)) + 1;
      const next =
        this.deps.clock.now().getTime() + backoffMs(attempts, this.initialMs, this.maxMs);
      for (const d of deliveries) await this.deps.detections.retryLater(d, d.attempts + 1, next);
      this.deps.metrics?.alertDeliveries.inc(
        { destination: KAFKA_DESTINATION, outcome: 'retry' },
        deliveries.length,
      );
      this.deps.metrics?.workerErrors.inc({ worker: 'alerts-kafka', retriable: 'true' });
      this.deps.logger.warn(
        {
          worker: 'alerts-kafka',
          alerts: deliveries.length,
          attempts,
          err: { message: (error as Error).message },
        },
        'alerts not acknowledged by Kafka; retrying with backoff',
      );
      this.status(KAFKA_DESTINATION, 'retrying', deliveries[0], attempts, error);
    }
  }

  private async toWebhook(d: Delivery): Promise<void> {
    const hook = this.hooks.get(d.destination);
    if (hook === undefined) return; // `due` returns configured destinations only
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    let failure: string;
    try {
      const status = await this.deps.sender.post(hook.url, d.body, {
        'content-type': 'application/json',
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: webhookSignature(this.deps.secret!, timestamp, d.body),
        [WEBHOOK_HEADERS.alertId]: d.alertId,
      });
      if (status >= 200 && status < 300) {
        await this.deps.detections.delivered([d]);
        this.deps.metrics?.alertDeliveries.inc({ destination: 'webhook', outcome: 'delivered' });
        this.status(d.destination, 'running', d, 0, null);
        return;
      }
      failure = `HTTP ${status}`;
    } catch (error) {
      failure = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
    }
    const attempts = d.attempts + 1;
    const log = {
      worker: 'alert-webhooks',
      webhook: hook.id,
      alertId: d.alertId,
      attempts,
      failure,
    };
    if (attempts >= this.maxAttempts) {
      await this.deps.detections.park(d, attempts);
      this.deps.metrics?.alertDeliveries.inc({ destination: 'webhook', outcome: 'parked' });
      this.deps.metrics?.workerErrors.inc({ worker: 'alert-webhooks', retriable: 'false' });
      this.deps.logger.error(
        log,
        'webhook delivery parked after its last attempt: it will not be sent again',
      );
      this.status(d.destination, 'parked', d, attempts, failure);
      return;
    }
    const delay = backoffMs(attempts, this.initialMs, this.maxMs);
    await this.deps.detections.retryLater(d, attempts, this.deps.clock.now().getTime() + delay);
    this.deps.metrics?.alertDeliveries.inc({ destination: 'webhook', outcome: 'retry' });
    this.deps.logger.warn(
      { ...log, retryInMs: delay },
      'webhook delivery failed; retrying with backoff',
    );
    this.status(d.destination, 'retrying', d, attempts, failure);
  }

  /** A diagnostics entry per destination (`alerts:kafka`, `alerts:webhook:<id>`). */
  private status(
    destination: string,
    state: 'running' | 'retrying' | 'parked',
    d: Delivery,
    attempts: number,
    error: unknown,
  ): void {
    this.deps.board?.set({
      worker: `alerts:${destination}`,
      state,
      since: this.deps.clock.now().toISOString(),
      position: d.position,
      attempts,
      error:
        error === null
          ? null
          : typeof error === 'string'
            ? `WebhookDeliveryError ${error
                .replace(/[^A-Za-z0-9 ]/g, '')
                .toUpperCase()
                .replace(/ /g, '_')}`
            : 'KafkaDeliveryError',
      failedAt: state === 'running' ? null : d.position,
    });
  }
}
