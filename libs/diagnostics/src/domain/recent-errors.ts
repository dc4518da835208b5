/**
 * A small in-memory ring of the latest failed requests, for the diagnostics bundle.
 * Support needs to see *that* and *where* things fail, never *for whom*: an entry holds
 * the stable error code, the status, the route template and the request id, and nothing
 * taken from the request (no URL, no query, no body, no problem detail text).
 */
export interface RecentError {
  readonly at: string;
  readonly status: number;
  readonly code: string;
  readonly method: string;
  /** Route template (`/v1/reports/sspr/:report`), or `unmatched`. */
  readonly route: string;
  /** Random per-request id, to find the matching server log line. */
  readonly requestId: string;
  /** The caller's tenant; null when the caller was not authenticated. */
  readonly tenantId: string | null;
}

const CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ROUTE = /^\/[A-Za-z0-9_:\-/.*{}]*$/;
const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Keeps only values of a known, data-free shape; anything else becomes a placeholder. */
export function sanitiseRecentError(e: RecentError): RecentError {
  return {
    at: e.at,
    status: Number.isInteger(e.status) ? e.status : 0,
    code:
      typeof e.code === 'string' && e.code.length <= 64 && CODE.test(e.code) ? e.code : 'UNKNOWN',
    method: METHODS.has(e.method) ? e.method : 'OTHER',
    route:
      typeof e.route === 'string' && e.route.length <= 120 && ROUTE.test(e.route)
        ? e.route
        : 'unmatched',
    requestId: REQUEST_ID.test(e.requestId) ? e.requestId : '',
    tenantId: e.tenantId,
  };
}

export class RecentErrors {
  private readonly ring: RecentError[] = [];
  private next = 0;
  private total = 0;

  constructor(readonly capacity = 200) {}

  record(error: RecentError): void {
    const clean = sanitiseRecentError(error);
    if (this.ring.length < this.capacity) this.ring.push(clean);
    else this.ring[this.next] = clean;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** The tenant's own entries, newest first; other tenants' and unauthenticated ones only counted. */
  forTenant(tenantId: string): { items: RecentError[]; otherCount: number; recordedTotal: number } {
    const all = this.newestFirst();
    const items = all.filter((e) => e.tenantId === tenantId);
    return { items, otherCount: all.length - items.length, recordedTotal: this.total };
  }

  private newestFirst(): RecentError[] {
    if (this.ring.length < this.capacity) return [...this.ring].reverse();
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)].reverse();
  }
}
