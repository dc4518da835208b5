import { AppConfig } from '@authtrail/config';
import { ApiKeysService } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { BootstrapService, firstStartNotice } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';
import { createApi } from '../../api/src/index';
import { runningServer } from './server-lock';

export interface ApiCall {
  (
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    /** Another key of the same server for this one call (e.g. a temporary producer key). */
    asKey?: string,
  ): Promise<{ status: number; body: unknown }>;
}

export interface ClientOptions {
  readonly url?: string;
  readonly key?: string;
  /** The tenant to act on. With a key it must be the key's own; without one, the CLI acts as it. */
  readonly tenant?: string;
}

/** What a command acts on, known before it changes anything (confirmations name it). */
export interface ApiTarget {
  readonly tenantId: string;
}

export class CliError extends Error {}

/**
 * Every CLI command that reads or changes data speaks the HTTP API: to the server that
 * holds the data dir when one runs (or `--url`), else to an in-process server on a
 * loopback port that opens the stores itself and is closed afterwards. One code path,
 * the same checks and the same recorded events either way.
 *
 * `--tenant` is honoured or refused, never ignored: a key acts on its own tenant only, so
 * with a key (a running server needs one) `--tenant` must name the key's tenant; without a
 * key the in-process server issues a one-off key of the named tenant, which must exist.
 */
export async function withApi<T>(
  config: AppConfig,
  options: ClientOptions,
  fn: (call: ApiCall, target: ApiTarget) => Promise<T>,
): Promise<T> {
  const remote = options.url ?? config.cli.url ?? runningServer(config.dataDir)?.url ?? null;
  if (remote !== null) {
    const key = options.key ?? config.cli.apiKey;
    if (!key)
      throw new CliError(`a server is running at ${remote}: pass --key or set AUTHTRAIL_API_KEY`);
    const api = httpCall(remote, key);
    return fn(api, await keyTarget(api, options.tenant));
  }
  const app = await createApi({
    config: { ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel },
  });
  try {
    // The first command on a fresh data dir creates the bootstrap key: shown here, once,
    // or nobody could ever use it (a later `serve` finds it exists and prints nothing).
    const outcome = await app.get(BootstrapService).ensure();
    if (outcome.createdKey) process.stderr.write(firstStartNotice(outcome.createdKey, null));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const base = `http://127.0.0.1:${port}`;
    if (options.key !== undefined) {
      const api = httpCall(base, options.key);
      return await fn(api, await keyTarget(api, options.tenant));
    }
    const tenantId = options.tenant ?? 'default';
    const state = await app.get(TenantsService).load(tenantId);
    if (!state.exists)
      throw new CliError(
        `no tenant "${tenantId}" in ${config.dataDir}: create it first (authtrail tenants create ${tenantId})`,
      );
    if (state.deleted) throw new CliError(`tenant "${tenantId}" was deleted: its key is shredded`);
    const token = app.get(ApiKeysService).issueEphemeral(tenantId, ROLES);
    return await fn(httpCall(base, token), { tenantId });
  } finally {
    await app.close();
  }
}

/** The key's tenant, checked against `--tenant` before anything is sent. */
async function keyTarget(api: ApiCall, tenant: string | undefined): Promise<ApiTarget> {
  const who = await api('GET', '/v1/whoami');
  if (who.status === 401)
    throw new CliError('the API key was refused (HTTP 401): unknown, revoked or expired');
  if (who.status >= 300) throw new CliError(`could not tell the key's tenant (HTTP ${who.status})`);
  const tenantId = (who.body as { tenantId: string }).tenantId;
  if (tenant !== undefined && tenant !== tenantId)
    throw new CliError(
      `--tenant ${tenant} cannot be honoured: the key belongs to tenant "${tenantId}" and a key acts on its own tenant only. Use a key of tenant "${tenant}", or leave out --tenant to act on "${tenantId}".`,
    );
  return { tenantId };
}

function httpCall(base: string, key: string): ApiCall {
  return async (method, path, body, contentType = 'application/json', asKey) => {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers: {
          authorization: `Bearer ${asKey ?? key}`,
          ...(body === undefined ? {} : { 'content-type': contentType }),
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      /* plain text answer (e.g. CSV) */
    }
    return { status: res.status, body: parsed };
  };
}
