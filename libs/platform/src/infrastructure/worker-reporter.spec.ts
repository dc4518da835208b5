import type { Logger } from 'pino';
import { AppError } from '../domain/app-error';
import { WorkerStatusBoard, degradedWorkers } from '../domain/worker-status';
import { Metrics } from './metrics';
import { createWorkerReporter } from './worker-reporter';

function logger() {
  const lines: { level: string; details: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (details: Record<string, unknown>, message: string): void =>
      void lines.push({ level, details, message });
  return {
    lines,
    logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger,
  };
}

const value = async (
  metric: { get(): Promise<{ values: { labels: object; value: number }[] }> },
  labels: object,
) =>
  (await metric.get()).values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))
    ?.value;

describe('createWorkerReporter', () => {
  const now = () => new Date('2026-11-20T10:00:00.000Z');

  it('reports parking with a log line, the parked gauge, an error count and a diagnostics entry', async () => {
    const { lines, logger: log } = logger();
    const metrics = new Metrics(false);
    const board = new WorkerStatusBoard();
    const r = createWorkerReporter('sealer', { logger: log, metrics, board, now });
    r.running?.(10);
    const error = new AppError(
      'LEDGER.CORRUPT',
      'internal',
      'seal 3 of tenant acme does not parse',
    );
    r.parked?.({ error, attempt: 1, position: 10, failedAt: 11 });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('sealer parked') as string,
        details: expect.objectContaining({
          worker: 'sealer',
          position: 10,
          failedAt: 11,
        }) as object,
      }),
    ]);
    expect(await value(metrics.workerParked, { worker: 'sealer' })).toBe(1);
    expect(await value(metrics.workerErrors, { worker: 'sealer', retriable: 'false' })).toBe(1);
    // The diagnostics entry names the error by class and code, never by its message.
    expect(board.get('sealer')).toEqual({
      worker: 'sealer',
      state: 'parked',
      since: '2026-11-20T10:00:00.000Z',
      position: 10,
      attempts: 1,
      error: 'AppError LEDGER.CORRUPT',
      failedAt: 11,
    });
    expect(JSON.stringify(board.list())).not.toContain('acme');
  });

  it('reports retries as warnings and says when the worker runs again', async () => {
    const { lines, logger: log } = logger();
    const metrics = new Metrics(false);
    const board = new WorkerStatusBoard();
    const r = createWorkerReporter('projector', { logger: log, metrics, board, now });
    const error = new AppError('REPORT.READ_MODEL_UNAVAILABLE', 'unavailable', 'down', {
      retriable: true,
    });
    r.retrying?.({ error, attempt: 1, position: 5, failedAt: 6, delayMs: 500 });
    r.retrying?.({ error, attempt: 2, position: 5, failedAt: 6, delayMs: 1000 });
    expect(board.get('projector')?.state).toBe('retrying');
    r.running?.(9);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn', 'info']);
    expect(lines[2].message).toContain('after 2 failed attempts');
    expect(await value(metrics.workerErrors, { worker: 'projector', retriable: 'true' })).toBe(2);
    expect(await value(metrics.workerParked, { worker: 'projector' })).toBe(0);
    expect(board.get('projector')).toMatchObject({ state: 'running', position: 9, error: null });
  });
});

describe('degraded workers', () => {
  it('retrying since the first failure: degraded once that is longer ago than the bound, ok again when running', () => {
    let at = Date.parse('2026-11-20T10:00:00.000Z');
    const clock = () => new Date(at);
    const board = new WorkerStatusBoard();
    const { logger: log } = logger();
    const r = createWorkerReporter('forwarder', { logger: log, board, now: clock });
    const error = new AppError('SIEM.PUBLISH_FAILED', 'unavailable', 'broker down', {
      retriable: true,
    });
    r.running?.(3);
    at += 1_000;
    r.retrying?.({ error, attempt: 1, position: 3, failedAt: 4, delayMs: 200 });
    at += 20_000;
    r.retrying?.({ error, attempt: 2, position: 3, failedAt: 4, delayMs: 400 });
    expect(board.get('forwarder')?.since).toBe('2026-11-20T10:00:01.000Z');
    expect(degradedWorkers(board.list(), clock(), 30_000)).toEqual([]);
    at += 10_000;
    expect(degradedWorkers(board.list(), clock(), 30_000).map((w) => w.worker)).toEqual([
      'forwarder',
    ]);
    r.running?.(9);
    expect(degradedWorkers(board.list(), clock(), 30_000)).toEqual([]);
  });

  it('a parked worker is degraded at once', () => {
    const board = new WorkerStatusBoard();
    const { logger: log } = logger();
    createWorkerReporter('sealer', { logger: log, board }).parked?.({
      error: new Error('x'),
      attempt: 1,
      position: 1,
      failedAt: 2,
    });
    expect(degradedWorkers(board.list(), new Date(), 3_600_000)).toHaveLength(1);
  });
});
