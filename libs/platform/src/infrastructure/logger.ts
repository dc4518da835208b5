import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * Structured logs (pino). Personal data never reaches a log line: request bodies and
 * query strings are never logged, and these paths are redacted as a second line of
 * defence should a personal field ever be passed in a log object.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'userPrincipalName',
  '*.userPrincipalName',
  'displayName',
  '*.displayName',
  'key',
  '*.key',
  'secret',
  '*.secret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'authtrail' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * NestJS's start-up chatter: a line per module, controller and mapped route (~100 at
 * every start). Useful when debugging the wiring, noise at info.
 */
const FRAMEWORK_START_UP = new Set([
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** Routes NestJS's own log calls into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    if (context !== undefined && FRAMEWORK_START_UP.has(context))
      this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

export const LOGGER = Symbol('Logger');

/**
 * Start and stop lines (where the server listens, that it stopped) are logged at info
 * whatever the configured level, unless it is `silent`: operators and scripts wait for
 * them, and a quieter level is chosen to hide request lines, not these.
 */
export function lifecycleLogger(logger: Logger): Logger {
  return logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
}
