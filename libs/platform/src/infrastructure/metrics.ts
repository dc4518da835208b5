import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const DEFAULT_GAUGES_NAMED_LIKE_COUNTERS = [
  'authtrail_nodejs_active_handles_total',
  'authtrail_nodejs_active_requests_total',
  'authtrail_nodejs_active_resources_total',
] as const;

/** One Prometheus registry per process, served at `/metrics` (no tenant data in labels). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly eventsAccepted: Counter<'category'>;
  readonly eventsDuplicate: Counter;
  readonly eventsRejected: Counter<'reason'>;
  readonly workerLag: Gauge<'worker'>;
  readonly workerErrors: Counter<'worker' | 'retriable'>;
  readonly workerParked: Gauge<'worker'>;
  readonly workerBatchSeconds: Histogram<'worker'>;
  readonly workerEvents: Counter<'worker'>;
  readonly alertDeliveries: Counter<'destination' | 'outcome'>;

  constructor(withDefaults = true) {
    if (withDefaults) {
      collectDefaultMetrics({ register: this.registry, prefix: 'authtrail_' });
      // prom-client's `*_total` gauges break Prometheus' naming rule (`_total` is for
      // counters; `promtool check metrics` warns): the per-type gauges without the
      // suffix carry the same numbers (sum them for the total).
      for (const name of DEFAULT_GAUGES_NAMED_LIKE_COUNTERS) this.registry.removeSingleMetric(name);
    }
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'authtrail_http_requests_total',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'authtrail_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.eventsAccepted = new Counter({
      name: 'authtrail_events_accepted_total',
      help: 'Events appended to the log',
      labelNames: ['category'],
      registers,
    });
    this.eventsDuplicate = new Counter({
      name: 'authtrail_events_duplicate_total',
      help: 'Events re-sent with a known id and the same content (stored once)',
      registers,
    });
    this.eventsRejected = new Counter({
      name: 'authtrail_ingest_rejected_requests_total',
      help: 'Ingest requests rejected, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.workerLag = new Gauge({
      name: 'authtrail_worker_lag_events',
      help: 'Events in the log not yet processed by a worker',
      labelNames: ['worker'],
      registers,
    });
    this.workerErrors = new Counter({
      name: 'authtrail_worker_errors_total',
      help: 'Worker failures (retriable ones are retried with backoff)',
      labelNames: ['worker', 'retriable'],
      registers,
    });
    this.workerParked = new Gauge({
      name: 'authtrail_worker_parked',
      help: '1 while a worker is stopped on a failure that is not retriable (until restarted)',
      labelNames: ['worker'],
      registers,
    });
    this.workerBatchSeconds = new Histogram({
      name: 'authtrail_worker_batch_duration_seconds',
      help: 'Time a worker took to handle one batch of the log and save its checkpoint',
      labelNames: ['worker'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.workerEvents = new Counter({
      name: 'authtrail_worker_events_total',
      help: 'Events a worker handled and checkpointed (a batch retried after a failure counts again)',
      labelNames: ['worker'],
      registers,
    });
    this.alertDeliveries = new Counter({
      name: 'authtrail_alert_deliveries_total',
      help: 'Alert deliveries by destination (kafka, webhook) and outcome (delivered, retry, parked)',
      labelNames: ['destination', 'outcome'],
      registers,
    });
  }
}
