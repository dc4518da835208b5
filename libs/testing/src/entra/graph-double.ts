import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** One request the double answered, for assertions. */
export interface GraphDoubleRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  readonly form?: Readonly<Record<string, string>>;
}

export interface GraphDoubleOptions {
  readonly directoryTenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Records per page (Graph may return fewer than `$top`). */
  readonly pageSize?: number;
}

/**
 * A local HTTP double of the two Microsoft endpoints the Graph poller calls, answering as
 * their documentation shows:
 * - `POST /{tenant}/oauth2/v2.0/token` (client-credentials grant): `{token_type,
 *   expires_in, access_token}`, or 400/401 `{error, error_description}`;
 * - `GET /v1.0/auditLogs/directoryAudits` with `$filter` (`loggedByService eq '…'`,
 *   `activityDateTime ge …`, joined by `and`), `$orderby=activityDateTime asc|desc` and
 *   `$top`: `{"@odata.context", "value": [...], "@odata.nextLink"}`, the next link carrying
 *   a `$skiptoken`; 401 with a bad token; 429 with `Retry-After` when told to throttle.
 * It filters for real, so the poller's query is what decides what it receives.
 */
export class GraphDouble {
  readonly requests: GraphDoubleRequest[] = [];
  private records: Json[] = [];
  private throttleNext = 0;
  private retryAfter = '1';
  private readonly tokens = new Set<string>();
  private readonly cursors = new Map<string, { list: Json[]; offset: number }>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly options: GraphDoubleOptions) {}

  /** Records Graph holds (any service); the poller sees what its filter selects. */
  add(...records: Json[]): void {
    this.records.push(...records);
  }

  /** The next `n` directoryAudits requests answer 429 with this `Retry-After`. */
  throttle(n: number, retryAfterSeconds = '1'): void {
    this.throttleNext = n;
    this.retryAfter = retryAfterSeconds;
  }

  private forbidden = false;

  /** Every directoryAudits request answers 403 from now on (no AuditLog.Read.All consent). */
  forbid(): void {
    this.forbidden = true;
  }

  /** Tokens issued so far stop working (as if revoked or expired early). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** `$filter`s of the first-page requests, in order. */
  filters(): string[] {
    return this.requests
      .filter((r) => r.path === '/v1.0/auditLogs/directoryAudits' && r.query.$filter !== undefined)
      .map((r) => r.query.$filter);
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      form?: Record<string, string>,
    ) => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, query, status, form });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const tokenPath = `/${this.options.directoryTenantId}/oauth2/v2.0/token`;
    if (req.method === 'POST' && url.pathname === tokenPath) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const shown = { ...form, client_secret: form.client_secret === undefined ? '' : '***' };
      if (
        form.grant_type !== 'client_credentials' ||
        form.scope !== 'https://graph.microsoft.com/.default'
      )
        return send(
          400,
          { error: 'invalid_request', error_description: 'AADSTS900144' },
          {},
          shown,
        );
      if (
        form.client_id !== this.options.clientId ||
        form.client_secret !== this.options.clientSecret
      )
        return send(
          401,
          { error: 'invalid_client', error_description: 'AADSTS7000215' },
          {},
          shown,
        );
      const token = randomUUID();
      this.tokens.add(token);
      return send(
        200,
        { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token },
        {},
        shown,
      );
    }
    if (req.method === 'GET' && url.pathname === '/v1.0/auditLogs/directoryAudits') {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7)))
        return send(401, {
          error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
        });
      if (this.forbidden)
        return send(403, {
          error: {
            code: 'Authorization_RequestDenied',
            message: 'Insufficient privileges to complete the operation.',
          },
        });
      if (this.throttleNext > 0) {
        this.throttleNext--;
        return send(
          429,
          { error: { code: 'TooManyRequests', message: 'Too many requests' } },
          { 'retry-after': this.retryAfter },
        );
      }
      let cursor: { list: Json[]; offset: number };
      if (query.$skiptoken !== undefined) {
        const found = this.cursors.get(query.$skiptoken);
        if (found === undefined)
          return send(400, {
            error: { code: 'Request_BadRequest', message: 'Invalid skip token' },
          });
        cursor = found;
      } else {
        const list = this.select(query.$filter ?? '', query.$orderby ?? '');
        if (list === null)
          return send(400, {
            error: { code: 'Request_UnsupportedQuery', message: 'Invalid filter clause' },
          });
        cursor = { list, offset: 0 };
      }
      const size = Math.min(Number(query.$top ?? 1000), this.options.pageSize ?? 1000);
      const value = cursor.list.slice(cursor.offset, cursor.offset + size);
      const body: Json = {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits',
        value,
      };
      if (cursor.offset + size < cursor.list.length) {
        const token = randomUUID();
        this.cursors.set(token, { list: cursor.list, offset: cursor.offset + size });
        body['@odata.nextLink'] =
          `${this.url}/v1.0/auditLogs/directoryAudits?$top=${size}&$skiptoken=${token}`;
      }
      return send(200, body);
    }
    return send(404, { error: { code: 'ResourceNotFound', message: 'no such route' } });
  }

  /** The records `$filter` selects, in `$orderby` order; null for a filter Graph would refuse. */
  private select(filter: string, orderby: string): Json[] | null {
    const clauses = filter === '' ? [] : filter.split(/\s+and\s+/i);
    const tests: ((r: Json) => boolean)[] = [];
    for (const clause of clauses) {
      const service = /^loggedByService eq '([^']*)'$/.exec(clause.trim());
      const since = /^activityDateTime ge (\S+)$/.exec(clause.trim());
      if (service) tests.push((r) => r.loggedByService === service[1]);
      else if (since && !Number.isNaN(Date.parse(since[1]))) {
        const t = Date.parse(since[1]);
        tests.push((r) => Date.parse(String(r.activityDateTime)) >= t);
      } else return null;
    }
    const list = this.records.filter((r) => tests.every((t) => t(r)));
    const time = (r: Json) => Date.parse(String(r.activityDateTime));
    if (/^activityDateTime asc$/i.test(orderby)) list.sort((a, b) => time(a) - time(b));
    else list.sort((a, b) => time(b) - time(a)); // Graph's default: newest first
    return list;
  }
}
