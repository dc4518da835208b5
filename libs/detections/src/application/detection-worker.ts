import {
  CheckpointStore,
  CheckpointedWorker,
  EventStore,
  RecordedEvent,
  decodeEnvelope,
} from '@authtrail/event-store';
import { TENANT_EVENT } from '@authtrail/catalog';
import type { Clock, WorkerReporter } from '@authtrail/platform';
import type { Alert } from '../domain/alert';
import { PersonState, detect } from '../domain/detect';
import { toDetectionFinding } from '../domain/detection-finding';
import { DETECTION_RULES, DetectionEvent, DetectionRule } from '../domain/detection-rules';
import type { DetectionStore, StateChange } from '../domain/detection-store.port';

export const DETECTIONS_WORKER = 'detections';

export interface DetectionWorkerDeps {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly detections: DetectionStore;
  /** Where each new alert goes (`kafka`, `webhook:<id>`): one pending delivery each. */
  readonly destinations: readonly string[];
  readonly clock: Clock;
  readonly reporter?: WorkerReporter;
  /** Told about the alerts a batch stored for the first time (wakes the dispatcher). */
  readonly onAlerts?: (alerts: readonly Alert[]) => void;
  readonly rules?: readonly DetectionRule[];
}

export interface DetectionWorkerOptions {
  readonly worker?: string;
  readonly batchSize?: number;
  /** Wait after new events arrive before reading them; default 50 ms (alerts within seconds). */
  readonly lingerMs?: number;
  readonly retryInitialMs?: number;
}

/** The non-personal part of a stored SSPR or MFA event that the rules read; null for others. */
export function detectionEventOf(event: RecordedEvent): DetectionEvent | null {
  if (!event.type.startsWith('sspr.') && !event.type.startsWith('mfa.')) return null;
  const env = decodeEnvelope(event.data);
  const data = env.data as Record<string, unknown>;
  const result = (data.result ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    position: event.position,
    eventId: env.eventId,
    tenantId: env.tenantId,
    type: env.type,
    occurredAtMs: Date.parse(env.occurredAt),
    recordedAtMs: Date.parse(env.recordedAt),
    actor: env.subjects.actor,
    target: env.subjects.target,
    status: text(result.status),
    actorRole: text(data.actorRole),
    targetRole: text(data.targetRole),
  };
}

/**
 * Live detections (docs/siem.md "Alerts"): follows the log from its checkpoint on the
 * checkpointed-worker runtime, applies the rules to each SSPR and MFA event in log order,
 * and stores per batch, in one transaction, the people's rule states and the alerts not
 * seen before with their pending deliveries; the runtime saves the checkpoint after. A
 * replay (crash before the checkpoint, a reset checkpoint) finds every event at or below
 * each person's `through` and every alert id already stored: nothing is published twice.
 */
export class DetectionWorker {
  private readonly runtime: CheckpointedWorker;
  private readonly rules: readonly DetectionRule[];
  private detected = 0;

  constructor(
    private readonly deps: DetectionWorkerDeps,
    options: DetectionWorkerOptions = {},
  ) {
    this.rules = deps.rules ?? DETECTION_RULES;
    this.runtime = new CheckpointedWorker({
      name: options.worker ?? DETECTIONS_WORKER,
      store: deps.store,
      checkpoints: deps.checkpoints,
      handler: { handle: (events) => this.handle(events) },
      trigger: { follow: true, lingerMs: options.lingerMs ?? 50 },
      batchSize: options.batchSize ?? 1000,
      retryInitialMs: options.retryInitialMs ?? 500,
      reporter: deps.reporter,
    });
  }

  get position(): number {
    return this.runtime.position;
  }

  get parked(): unknown {
    return this.runtime.parked;
  }

  /** Alerts this instance stored for the first time. */
  get detectedCount(): number {
    return this.detected;
  }

  start(): this {
    this.runtime.start();
    return this;
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  /** Handles these events now and checkpoints after them (tests). */
  process(events: readonly RecordedEvent[]): Promise<void> {
    return this.runtime.process(events);
  }

  /** One pass to the head now (tests, the CLI). */
  runOnce(): Promise<number> {
    return this.runtime.runOnce();
  }

  private async handle(events: readonly RecordedEvent[]): Promise<void> {
    // A deleted tenant's events are not looked at again: its state goes with it. Batches
    // are split there, so the tenant's events before the deletion are handled first.
    const cut = events.findIndex((e) => e.type === TENANT_EVENT.deleted);
    if (cut >= 0) {
      await this.detectIn(events.slice(0, cut));
      await this.deps.detections.forgetTenant(events[cut].tenantId);
      await this.handle(events.slice(cut + 1));
      return;
    }
    await this.detectIn(events);
  }

  private async detectIn(events: readonly RecordedEvent[]): Promise<void> {
    const inputs = events.map(detectionEventOf).filter((e): e is DetectionEvent => e !== null);
    if (inputs.length === 0) return;
    const states = await this.load(inputs);
    const alerts: Alert[] = [];
    const touched = new Set<string>();
    for (const e of inputs) {
      const mine = states.get(e.tenantId)!;
      alerts.push(...detect(this.rules, e, mine));
      for (const s of [e.actor, e.target]) if (s) touched.add(`${e.tenantId}\n${s}`);
    }
    const changes: StateChange[] = [...touched].map((k) => {
      const [tenantId, subjectId] = k.split('\n');
      return { tenantId, subjectId, state: states.get(tenantId)!.get(subjectId)! };
    });
    const fresh = await this.deps.detections.commit({
      states: changes,
      alerts: alerts.map((alert) => ({ alert, body: JSON.stringify(toDetectionFinding(alert)) })),
      destinations: this.deps.destinations,
      nowMs: this.deps.clock.now().getTime(),
    });
    if (fresh.length > 0) {
      this.detected += fresh.length;
      this.deps.onAlerts?.(fresh);
    }
  }

  private async load(
    inputs: readonly DetectionEvent[],
  ): Promise<Map<string, Map<string, PersonState>>> {
    const wanted = new Map<string, Set<string>>();
    for (const e of inputs) {
      let set = wanted.get(e.tenantId);
      if (!set) wanted.set(e.tenantId, (set = new Set()));
      for (const s of [e.actor, e.target]) if (s) set.add(s);
    }
    const out = new Map<string, Map<string, PersonState>>();
    for (const [tenantId, set] of wanted)
      out.set(tenantId, await this.deps.detections.states(tenantId, [...set]));
    return out;
  }
}
