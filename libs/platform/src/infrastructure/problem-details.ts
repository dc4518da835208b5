import { AppError, FieldError, HTTP_STATUS } from '../domain/app-error';

/** RFC 9457 problem document. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: readonly FieldError[];
  instance?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemType = (code: string): string =>
  `urn:authtrail:problem:${code.toLowerCase().replace(/[._]/g, '-')}`;

export function problemFromAppError(error: AppError, instance?: string): ProblemDocument {
  return {
    ...error.extensions,
    type: problemType(error.code),
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(instance ? { instance } : {}),
  };
}

/**
 * Maps framework (Fastify/Nest) errors to problems. Only the status and a fixed text
 * are used: framework messages may echo input, and input may be personal.
 */
/** The media types a request body may have (JSON everywhere; NDJSON where a route takes a batch of events). */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'application/x-ndjson'] as const;

/** What the request's route allows, so a 413 or 415 can say how to fix the request. */
export interface FrameworkErrorHints {
  /** The route's body size limit in bytes. */
  readonly bodyLimit?: number;
}

export function problemFromFrameworkError(
  status: number,
  code: string | undefined,
  instance?: string,
  hints: FrameworkErrorHints = {},
): ProblemDocument {
  const limit = hints.bodyLimit;
  const known: Record<string, [number, string, string, Record<string, unknown>?]> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      `unsupported content type: send the body as ${ACCEPTED_MEDIA_TYPES.join(' or ')} (NDJSON on the event ingest routes only), with a matching content-type header`,
      { acceptedMediaTypes: [...ACCEPTED_MEDIA_TYPES] },
    ],
    FST_ERR_CTP_BODY_TOO_LARGE: [
      413,
      'REQUEST.TOO_LARGE',
      limit === undefined
        ? 'request body is over the size limit'
        : `request body is over the size limit of ${limit} bytes (${(limit / 1048576).toFixed(1)} MiB): split it into smaller requests`,
      limit === undefined ? undefined : { maxBodyBytes: limit },
    ],
    FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'REQUEST.MALFORMED', 'the JSON body is empty'],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
      400,
      'REQUEST.MALFORMED',
      'content-length does not match the body',
    ],
    FST_ERR_CTP_INVALID_JSON_BODY: [400, 'REQUEST.MALFORMED', 'the body is not valid JSON'],
  };
  // A 413 or 415 may arrive without Fastify's code (wrapped by Nest): same answer.
  const byStatus =
    status === 415
      ? known.FST_ERR_CTP_INVALID_MEDIA_TYPE
      : status === 413
        ? known.FST_ERR_CTP_BODY_TOO_LARGE
        : undefined;
  const hit = (code ? known[code] : undefined) ?? byStatus;
  if (hit) {
    return {
      ...hit[3],
      type: problemType(hit[1]),
      title: TITLES[hit[0]],
      status: hit[0],
      detail: hit[2],
      code: hit[1],
      ...(instance ? { instance } : {}),
    };
  }
  const s = status >= 400 && status < 600 ? status : 500;
  const c =
    s === 400
      ? 'REQUEST.MALFORMED'
      : s === 404
        ? 'ROUTE.NOT_FOUND'
        : s === 405
          ? 'ROUTE.METHOD_NOT_ALLOWED'
          : s >= 500
            ? 'INTERNAL'
            : `HTTP_${s}`;
  const detail =
    s === 400
      ? 'the request cannot be read (malformed JSON or a forbidden key such as __proto__)'
      : s >= 500
        ? 'internal error'
        : (TITLES[s] ?? 'error').toLowerCase();
  return {
    type: problemType(c),
    title: TITLES[s] ?? 'Error',
    status: s,
    detail,
    code: c,
    ...(instance ? { instance } : {}),
  };
}

export { HTTP_STATUS };
