import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '@authtrail/auth';
import { LOGGER, Metrics, PinoNestLogger } from '@authtrail/platform';
import { RuntimeOptions } from '@authtrail/runtime';
import { RecentErrors, recordRecentErrors } from '@authtrail/diagnostics';
import { ApiModule } from './api.module';
import { registerConsole } from './http/console-assets';
import { createOpenApiDocument } from './openapi/openapi-document';

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** Answered without an access log line while they succeed. */
const UNLOGGED_ROUTES = new Set(['/healthz', '/metrics']);

/**
 * Builds the HTTP app (not listening yet). Shared by `authtrail serve`, the API's own
 * main and the end-to-end tests, so all three run the same stack.
 */
export async function createApi(options: RuntimeOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: config.ingest.maxBodyBytes,
    logger: false,
    // Slow clients: a request must arrive whole within this time.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    genReqId: () => randomUUID(),
    // Fastify's defaults, restated because they guard against prototype pollution.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(options),
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
    },
  );
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));

  const fastify = app.getHttpAdapter().getInstance();
  // NDJSON batches arrive as text; the ingest controller parses them line by line.
  fastify.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit: config.ingest.maxBodyBytes },
    (_req, body, done) => done(null, body),
  );
  // Only JSON and NDJSON bodies: Fastify's default text/plain parser would let any text
  // through to a route (it must be a 415 instead).
  fastify.removeContentTypeParser('text/plain');

  const metrics = app.get(Metrics);
  recordRecentErrors(fastify, app.get(RecentErrors));
  fastify.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
  fastify.addHook(
    'onResponse',
    async (request: FastifyRequest & { principal?: Principal }, reply) => {
      // The route template only: URLs and bodies may carry personal data (e.g. name filters).
      const route = request.routeOptions?.url ?? 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      // Probes and scrapes every few seconds would drown the log; their counts are in the
      // metrics above, and a failing probe (5xx) is still logged.
      if (UNLOGGED_ROUTES.has(route) && reply.statusCode < 500) return;
      logger.info(
        {
          reqId: request.id,
          method: request.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          tenant: request.principal?.tenantId,
          keyId: request.principal?.keyId,
        },
        'request',
      );
    },
  );

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  registerConsole(app);
  return app;
}
