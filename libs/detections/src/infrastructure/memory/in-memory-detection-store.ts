import type { Alert } from '../../domain/alert';
import type { PersonState } from '../../domain/detect';
import type { Delivery, DetectionStore, StateChange } from '../../domain/detection-store.port';

interface Row {
  alertId: string;
  destination: string;
  state: 'pending' | 'delivered' | 'parked';
  attempts: number;
  nextMs: number;
  seq: number;
}

/** The detection store in memory (tests, and a process without a data dir). */
export class InMemoryDetectionStore implements DetectionStore {
  private readonly stateByKey = new Map<string, PersonState>();
  private readonly alerts = new Map<string, { alert: Alert; body: string }>();
  private readonly rows = new Map<string, Row>();
  private seq = 0;

  states(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, PersonState>> {
    const out = new Map<string, PersonState>();
    for (const s of subjectIds) {
      const st = this.stateByKey.get(`${tenantId}/${s}`);
      if (st) out.set(s, structuredClone(st));
    }
    return Promise.resolve(out);
  }

  commit(input: {
    states: readonly StateChange[];
    alerts: readonly { alert: Alert; body: string }[];
    destinations: readonly string[];
    nowMs: number;
  }): Promise<Alert[]> {
    for (const c of input.states)
      this.stateByKey.set(`${c.tenantId}/${c.subjectId}`, structuredClone(c.state));
    const fresh: Alert[] = [];
    for (const a of input.alerts) {
      if (this.alerts.has(a.alert.id)) continue;
      this.alerts.set(a.alert.id, a);
      fresh.push(a.alert);
      for (const destination of input.destinations)
        this.rows.set(`${a.alert.id} ${destination}`, {
          alertId: a.alert.id,
          destination,
          state: 'pending',
          attempts: 0,
          nextMs: input.nowMs,
          seq: this.seq++,
        });
    }
    return Promise.resolve(fresh);
  }

  forgetTenant(tenantId: string): Promise<void> {
    for (const k of [...this.stateByKey.keys()])
      if (k.startsWith(`${tenantId}/`)) this.stateByKey.delete(k);
    for (const r of this.rows.values())
      if (r.state === 'pending' && this.alerts.get(r.alertId)?.alert.tenantId === tenantId)
        r.state = 'parked';
    return Promise.resolve();
  }

  due(nowMs: number, limit: number, destinations: readonly string[]): Promise<Delivery[]> {
    const rows = [...this.rows.values()]
      .filter(
        (r) => r.state === 'pending' && r.nextMs <= nowMs && destinations.includes(r.destination),
      )
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    return Promise.resolve(
      rows.map((r) => {
        const a = this.alerts.get(r.alertId)!;
        return {
          alertId: r.alertId,
          destination: r.destination,
          attempts: r.attempts,
          body: a.body,
          tenantId: a.alert.tenantId,
          position: a.alert.position,
        };
      }),
    );
  }

  delivered(ds: readonly Pick<Delivery, 'alertId' | 'destination'>[]): Promise<void> {
    for (const d of ds) this.update(d, { state: 'delivered' });
    return Promise.resolve();
  }

  retryLater(
    d: Pick<Delivery, 'alertId' | 'destination'>,
    attempts: number,
    nextMs: number,
  ): Promise<void> {
    this.update(d, { attempts, nextMs });
    return Promise.resolve();
  }

  park(d: Pick<Delivery, 'alertId' | 'destination'>, attempts: number): Promise<void> {
    this.update(d, { state: 'parked', attempts });
    return Promise.resolve();
  }

  counts(): Promise<{ alerts: number; pending: number; delivered: number; parked: number }> {
    const by = (s: Row['state']) => [...this.rows.values()].filter((r) => r.state === s).length;
    return Promise.resolve({
      alerts: this.alerts.size,
      pending: by('pending'),
      delivered: by('delivered'),
      parked: by('parked'),
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private update(d: Pick<Delivery, 'alertId' | 'destination'>, patch: Partial<Row>): void {
    const row = this.rows.get(`${d.alertId} ${d.destination}`);
    if (row) Object.assign(row, patch);
  }
}
