import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RecentErrors } from '../domain/recent-errors';

/**
 * Records every answer of 400 and above into the ring. Only the problem document's
 * `code` is read from the body; the route is the template, never the URL (URLs and
 * bodies may carry personal data, e.g. a name filter).
 */
export function recordRecentErrors(fastify: FastifyInstance, errors: RecentErrors): void {
  fastify.addHook(
    'onSend',
    async (
      request: FastifyRequest & { principal?: { tenantId?: string } },
      reply: FastifyReply,
      payload: unknown,
    ) => {
      if (reply.statusCode < 400) return payload;
      let code = `HTTP_${reply.statusCode}`;
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.includes('problem+json') && typeof payload === 'string') {
        try {
          const parsed = JSON.parse(payload) as { code?: unknown };
          if (typeof parsed.code === 'string') code = parsed.code;
        } catch {
          /* not JSON after all: keep the status code */
        }
      }
      errors.record({
        at: new Date().toISOString(),
        status: reply.statusCode,
        code,
        method: request.method,
        route: request.routeOptions?.url ?? 'unmatched',
        requestId: String(request.id),
        tenantId: request.principal?.tenantId ?? null,
      });
      return payload;
    },
  );
}
