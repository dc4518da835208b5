import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../domain/app-error';
import {
  FrameworkErrorHints,
  ProblemDocument,
  problemFromAppError,
  problemFromFrameworkError,
} from './problem-details';
import { LOGGER } from './logger';

/** The one exception filter: every error leaves as `application/problem+json` (RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const problem = toProblem(exception, request.id, {
      bodyLimit: request.routeOptions?.bodyLimit,
    });
    if (problem.status >= 500) {
      // Message and stack only: never the request, which may carry personal data.
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        { err: { message: err.message, stack: err.stack, name: err.name }, reqId: request.id },
        'request failed',
      );
    }
    sendProblem(reply, problem);
  }
}

export function toProblem(
  exception: unknown,
  instance?: string,
  hints: FrameworkErrorHints = {},
): ProblemDocument {
  if (exception instanceof AppError) return problemFromAppError(exception, instance);
  if (exception instanceof HttpException) {
    return problemFromFrameworkError(exception.getStatus(), undefined, instance, hints);
  }
  const e = exception as { statusCode?: number; code?: string } | null;
  return problemFromFrameworkError(e?.statusCode ?? 500, e?.code, instance, hints);
}

export function sendProblem(reply: FastifyReply, problem: ProblemDocument): void {
  if (problem.status === 429 && typeof problem.retryAfterSeconds === 'number') {
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problem);
}
