import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, loadConfig } from '@authtrail/config';
import { Clock, createLogger } from '@authtrail/platform';
import pino from 'pino';
import { BootstrapService } from '@authtrail/runtime';
import { createApi } from '../../apps/api/src/index';
import { leaseForServer } from './event-store-under-test';

export const BOOTSTRAP_KEY = 'test-bootstrap-key-0123456789abcdef';

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly config: AppConfig;
  readonly app: NestFastifyApplication;
  /** fetch against the server with a bearer key. */
  request(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; contentType?: string; raw?: string },
  ): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/**
 * The whole app over a real socket on a loopback port, on its own temp data dir
 * (embedded stores), exactly as `authtrail serve` wires it. The event log is the one
 * `AUTHTRAIL_TEST_EVENT_STORE` chooses (see event-store-under-test.ts) unless `env` names
 * one itself.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock; dataDir?: string; keepData?: boolean; logFile?: string } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'authtrail-e2e-'));
  const log =
    env.AUTHTRAIL_EVENT_STORE === undefined
      ? await leaseForServer(dataDir, options.clock)
      : { env: {}, release: () => Promise.resolve() };
  const config = loadConfig({
    AUTHTRAIL_DATA_DIR: dataDir,
    AUTHTRAIL_BOOTSTRAP_KEY: BOOTSTRAP_KEY,
    AUTHTRAIL_LOG_LEVEL: 'silent',
    ...log.env,
    ...env,
  });
  const logger = options.logFile
    ? createLogger('debug', pino.destination({ dest: options.logFile, sync: true }))
    : undefined;
  let app: NestFastifyApplication;
  try {
    app = await createApi({ config, clock: options.clock, logger });
    await app.get(BootstrapService).ensure();
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await log.release();
    throw error;
  }
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    dataDir,
    config,
    app,
    request: (method, path, o = {}) => request(url, method, path, o),
    close: async () => {
      await app.close();
      if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      await log.release();
    },
  };
}

export async function request(
  base: string,
  method: string,
  path: string,
  o: { key?: string | null; body?: unknown; contentType?: string; raw?: string } = {},
): Promise<TestResponse> {
  const key = o.key === undefined ? BOOTSTRAP_KEY : o.key;
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (o.raw !== undefined) {
    body = o.raw;
    headers['content-type'] = o.contentType ?? 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = o.contentType ?? 'application/json';
  }
  const res = await fetch(new URL(path, base), { method, headers, body });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Opts `default` in and returns a producer key and a privacy-admin key. */
export async function prepareTenant(
  server: TestServer,
): Promise<{ producer: string; reader: string; privacyAdmin: string }> {
  const opt = await server.request('POST', '/v1/tenant/opt-in');
  if (opt.status !== 200) throw new Error(`opt-in failed: ${opt.status} ${opt.text}`);
  const make = async (roles: string[]) => {
    const r = await server.request('POST', '/v1/keys', { body: { roles, name: roles.join('+') } });
    if (r.status !== 201) throw new Error(`key failed: ${r.status} ${r.text}`);
    return r.json.key as string;
  };
  return {
    producer: await make(['producer']),
    reader: await make(['reader']),
    privacyAdmin: await make(['privacy-admin']),
  };
}
