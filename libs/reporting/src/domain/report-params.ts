import { ValidationError, type FieldError } from '@authtrail/platform';

const DAY_MS = 86_400_000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_DAYS = 3650;

/** A half-open time window `[from, to)` on `occurredAt`. */
export interface ReportWindow {
  readonly from: Date;
  readonly to: Date;
}

export type RawQuery = Readonly<Record<string, unknown>>;

/** Collects every bad parameter of a request, so the caller fixes them all at once. */
export class ParamReader {
  readonly errors: FieldError[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly query: RawQuery) {}

  /** The single string value of a parameter, or undefined when absent. */
  string(name: string, maxLength = 200): string | undefined {
    this.seen.add(name);
    const v = this.query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.fail(name, 'must be given once');
      return undefined;
    }
    if (v.length > maxLength) {
      this.fail(name, `must be at most ${maxLength} characters`);
      return undefined;
    }
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.fail(name, `must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return Number(v);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      this.fail(name, `must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return v as T;
  }

  instant(name: string): Date | undefined {
    const v = this.string(name, 40);
    if (v === undefined) return undefined;
    const ms = ISO_INSTANT.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) {
      this.fail(name, 'must be an ISO 8601 instant with a time zone, e.g. 2026-11-20T09:00:00Z');
      return undefined;
    }
    return new Date(ms);
  }

  /**
   * `from`/`to` (ISO) or `days=N` ending now; the default is the last `defaultDays` days.
   * With only `from`, the window ends now; with only `to`, it starts `defaultDays` before.
   */
  window(now: Date, defaultDays: number): ReportWindow {
    const days = this.int('days', 1, MAX_DAYS);
    const from = this.instant('from');
    const to = this.instant('to');
    if (days !== undefined && (from !== undefined || to !== undefined)) {
      this.fail('days', 'give either days or from/to, not both');
    }
    if (days !== undefined) return { from: new Date(now.getTime() - days * DAY_MS), to: now };
    const end = to ?? now;
    const start = from ?? new Date(end.getTime() - defaultDays * DAY_MS);
    if (start.getTime() > end.getTime()) this.fail('from', 'must not be after to');
    return { from: start, to: end };
  }

  /** A parameter this request may not have: named in the 422 when given. */
  refuse(name: string, message: string): void {
    if (this.query[name] === undefined) return;
    this.seen.add(name);
    this.fail(name, message);
  }

  fail(name: string, message: string): void {
    this.errors.push({ path: name, message });
  }

  /** Throws a 422 naming every bad or unknown parameter. */
  done(): void {
    for (const name of Object.keys(this.query)) {
      if (!this.seen.has(name)) this.fail(name, 'unknown parameter');
    }
    if (this.errors.length > 0) {
      throw new ValidationError(
        `invalid query parameters: ${[...new Set(this.errors.map((e) => e.path))].join(', ')}`,
        this.errors,
        'REPORT.PARAMETER_INVALID',
      );
    }
  }
}
