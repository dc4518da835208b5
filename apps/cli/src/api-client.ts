import { AppConfig } from '@authtrail/config';
import { ApiKeysService } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { BootstrapService } from '@authtrail/runtime';
import { createApi } from '../../api/src/index';
import { runningServer } from './server-lock';

export interface ApiCall {
  (
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: unknown }>;
}

export interface ClientOptions {
  readonly url?: string;
  readonly key?: string;
  readonly tenant?: string;
}

export class CliError extends Error {}

/**
 * Every CLI command that reads or changes data speaks the HTTP API: to the server that
 * holds the data dir when one runs (or `--url`), else to an in-process server on a
 * loopback port that opens the stores itself and is closed afterwards. One code path,
 * the same checks and the same recorded events either way.
 */
export async function withApi<T>(
  config: AppConfig,
  options: ClientOptions,
  fn: (call: ApiCall) => Promise<T>,
): Promise<T> {
  const remote = options.url ?? config.cli.url ?? runningServer(config.dataDir)?.url ?? null;
  if (remote !== null) {
    const key = options.key ?? config.cli.apiKey;
    if (!key)
      throw new CliError(`a server is running at ${remote}: pass --key or set AUTHTRAIL_API_KEY`);
    return fn(httpCall(remote, key));
  }
  const app = await createApi({
    config: { ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel },
  });
  try {
    await app.get(BootstrapService).ensure();
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const token =
      options.key ?? app.get(ApiKeysService).issueEphemeral(options.tenant ?? 'default', ROLES);
    return await fn(httpCall(`http://127.0.0.1:${port}`, token));
  } finally {
    await app.close();
  }
}

function httpCall(base: string, key: string): ApiCall {
  return async (method, path, body, contentType = 'application/json') => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
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
