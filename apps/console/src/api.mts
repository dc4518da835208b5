/**
 * The console's only way to the data: the JSON API with the bearer credential the user
 * pasted (API key or OIDC token). Kept in sessionStorage only: gone when the tab closes.
 */
const TOKEN = 'authtrail.console.token';

export type Role = 'producer' | 'reader' | 'privacy-admin' | 'tenant-admin' | 'operator';

export interface Me {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly Role[];
}

export interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(
      [problem.detail ?? problem.title ?? `HTTP ${status}`]
        .concat((problem.errors ?? []).map((e) => `${e.path}: ${e.message}`))
        .join(' · '),
    );
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN),
  set: (token: string): void => sessionStorage.setItem(TOKEN, token),
  clear: (): void => sessionStorage.removeItem(TOKEN),
};

let onUnauthenticated: () => void = () => undefined;
export const whenSignedOut = (fn: () => void): void => {
  onUnauthenticated = fn;
};

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  explicitToken?: string,
): Promise<Response> {
  const token = explicitToken ?? session.token();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (res.ok) return res;
  let problem: Problem = {};
  try {
    problem = (await res.json()) as Problem;
  } catch {
    /* not a problem document */
  }
  // A stored credential that stopped working (revoked, expired) ends the session.
  if (res.status === 401 && explicitToken === undefined) onUnauthenticated();
  throw new ApiError(res.status, problem);
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await (await call('GET', withQuery(path, query))).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await call('POST', path, body)).json()) as T;
}

export async function getText(path: string, query?: Query): Promise<string> {
  return (await call('GET', withQuery(path, query))).text();
}

/** Checks a credential before keeping it. */
export async function whoami(token: string): Promise<Me> {
  return (await (await call('GET', '/v1/whoami', undefined, token)).json()) as Me;
}

/** A request with any method; the JSON answer, or null for 204 No Content. */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const res = await call(method, path, body);
  return res.status === 204 ? null : ((await res.json()) as T);
}
