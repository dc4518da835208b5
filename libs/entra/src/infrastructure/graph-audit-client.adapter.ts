import { AppError } from '@authtrail/platform';
import type { GraphAuditPage, GraphAuditSource } from '../application/graph-poller';
import { SSPR_SERVICE } from '../domain/entra-records.types';

export interface GraphAuditClientOptions {
  /** Entra directory (tenant) id of the app registration. */
  readonly directoryTenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://graph.microsoft.com` (a test double's URL in tests). */
  readonly graphUrl: string;
  /** `https://login.microsoftonline.com`. */
  readonly loginUrl: string;
  /** Records per page asked for (`$top`). */
  readonly pageSize?: number;
  /** Throttled or unavailable answers retried per request before giving up (retriable). */
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  /** Waits between retries; injectable so tests need not sleep for real. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Microsoft Graph v1.0 `GET /auditLogs/directoryAudits` with the client-credentials grant
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
 * the app registration needs the application permission `AuditLog.Read.All`. Pages follow
 * `@odata.nextLink` as given; 429 and 503/504 wait for `Retry-After`
 * (https://learn.microsoft.com/graph/throttling) and try again.
 */
export class GraphAuditClient implements GraphAuditSource {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly options: GraphAuditClientOptions) {}

  /** The first page's URL: only the SSPR service, from `since` on, oldest first. */
  firstPageUrl(since: Date): string {
    const filter = `loggedByService eq '${SSPR_SERVICE}' and activityDateTime ge ${since.toISOString()}`;
    const q = new URLSearchParams({
      $filter: filter,
      $orderby: 'activityDateTime asc',
      $top: String(this.options.pageSize ?? 500),
    });
    return `${this.options.graphUrl}/v1.0/auditLogs/directoryAudits?${q.toString()}`;
  }

  async page(since: Date, nextLink: string | null): Promise<GraphAuditPage> {
    const url = nextLink ?? this.firstPageUrl(since);
    const body = (await this.get(url)) as Record<string, unknown>;
    if (!Array.isArray(body.value))
      throw new AppError(
        'ENTRA.GRAPH_ANSWER',
        'unavailable',
        'Graph answered without a "value" array',
        {
          retriable: true,
        },
      );
    const next = body['@odata.nextLink'];
    return { records: body.value as unknown[], nextLink: typeof next === 'string' ? next : null };
  }

  private async get(url: string): Promise<unknown> {
    const maxRetries = this.options.maxRetries ?? 5;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetch(url, {
        headers: {
          authorization: `Bearer ${await this.accessToken()}`,
          accept: 'application/json',
        },
      });
      if (res.ok) return res.json();
      if (res.status === 401 && !refreshed) {
        // The token expired early or was revoked: one fresh token, then it counts.
        refreshed = true;
        this.token = null;
        continue;
      }
      if (
        (res.status === 429 || res.status === 503 || res.status === 504) &&
        attempt < maxRetries
      ) {
        await (this.options.sleep ?? realSleep)(
          retryAfterMs(res.headers.get('retry-after'), attempt),
        );
        continue;
      }
      throw await graphError(res, 'directoryAudits');
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token !== null && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const o = this.options;
    const res = await this.fetch(
      `${o.loginUrl}/${encodeURIComponent(o.directoryTenantId)}/oauth2/v2.0/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: o.clientId,
          client_secret: o.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
          grant_type: 'client_credentials',
        }).toString(),
      },
    );
    if (!res.ok) throw await graphError(res, 'token');
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string')
      throw new AppError(
        'ENTRA.GRAPH_TOKEN',
        'unavailable',
        'the token answer has no access_token',
      );
    const seconds =
      typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3599);
    this.token = { value: body.access_token, expiresAt: Date.now() + seconds * 1000 };
    return this.token.value;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new AppError(
        'ENTRA.GRAPH_UNREACHABLE',
        'unavailable',
        `Graph is unreachable: ${(e as Error).message}`,
        {
          retriable: true,
          cause: e,
        },
      );
    }
  }
}

/** `Retry-After` in seconds (or an HTTP date); without one, exponential from 1 s. */
export function retryAfterMs(header: string | null, attempt: number): number {
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 300) * 1000;
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, Math.min(at - Date.now(), 300_000));
  }
  return Math.min(2 ** attempt, 60) * 1000;
}

async function graphError(res: Response, what: string): Promise<AppError> {
  // Graph's error body: {"error": {"code", "message"}}; the token endpoint's: {"error", "error_description"}.
  let code = '';
  try {
    const body = (await res.json()) as { error?: unknown };
    code =
      typeof body.error === 'string'
        ? body.error
        : typeof (body.error as { code?: unknown })?.code === 'string'
          ? (body.error as { code: string }).code
          : '';
  } catch {
    /* no JSON body */
  }
  const retriable = res.status === 429 || res.status >= 500;
  const hint =
    res.status === 403
      ? ' (the app registration needs the application permission AuditLog.Read.All, admin-consented)'
      : '';
  return new AppError(
    retriable ? 'ENTRA.GRAPH_UNAVAILABLE' : 'ENTRA.GRAPH_REFUSED',
    retriable ? 'unavailable' : 'forbidden',
    `Graph ${what} answered ${res.status}${code ? ` ${code}` : ''}${hint}`,
    { retriable },
  );
}
