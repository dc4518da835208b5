/**
 * One error base for authtrail. `code` is stable (clients and tests match on it),
 * `category` decides the HTTP status, `retriable` tells workers whether to retry.
 */
export type ErrorCategory =
  | 'invalid' // 422: the input breaks a rule
  | 'bad-request' // 400: the request itself cannot be read
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'too-large' // 413
  | 'unsupported-media' // 415
  | 'rate-limited' // 429
  | 'unavailable' // 503
  | 'internal'; // 500

export const HTTP_STATUS: Readonly<Record<ErrorCategory, number>> = {
  invalid: 422,
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media': 415,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

/** One offending field of a rejected request: `index` of the event in the batch, JSON pointer `path`. */
export interface FieldError {
  readonly index?: number;
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly retriable?: boolean;
  readonly errors?: readonly FieldError[];
  /** Extra members for the problem document (must never carry personal data). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly retriable: boolean;
  readonly errors: readonly FieldError[];
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
  }

  get status(): number {
    return HTTP_STATUS[this.category];
  }
}

export class ValidationError extends AppError {
  constructor(message: string, errors: readonly FieldError[], code = 'REQUEST.INVALID') {
    super(code, 'invalid', message, { errors });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'not found', code = 'RESOURCE.NOT_FOUND') {
    super(code, 'not-found', message);
  }
}
