import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';

/** A `$ref` to a schema of `components.schemas` (filled by `openapi/openapi-document.ts`). */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const PROBLEM_TEXT: Readonly<Record<number, string>> = {
  400: 'The request cannot be read (malformed JSON, empty body, bad content-length)',
  401: 'No credential, or an unknown, expired or revoked one',
  403: "The credential's roles do not allow this route",
  404: 'Not found',
  409: 'Conflict with the stored state',
  413: 'The body is over the size limit',
  415: 'The content type is not accepted',
  422: 'The input breaks a rule: `errors` lists every {index, path, message}',
  429: 'Too many requests for this credential (`retryAfterSeconds`, `Retry-After` header)',
  500: 'Unexpected error (logged with the request id, nothing personal)',
  503: 'A store this route needs is unavailable; retry later',
};

/** What every route behind the auth guard can answer. */
export const AUTHENTICATED = [401, 403, 429, 500] as const;

/** RFC 9457 problem+json answers, one per status. */
export const ApiProblems = (...statuses: readonly number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_TEXT[status] ?? 'Error',
        content: { 'application/problem+json': { schema: ref('Problem') } },
      }),
    ),
  );

/** A JSON success answer whose schema is a component (or an inline schema). */
export const ApiJson = (status: number, description: string, schema: object) =>
  ApiResponse({ status, description, content: { 'application/json': { schema } } });

/** A JSON request body. */
export const ApiJsonBody = (schema: object, description?: string) =>
  ApiBody({ required: true, description, schema });

const string = { type: 'string' } as const;

/** The window on occurredAt every windowed report and the audit query read. */
export const ApiWindowQuery = () =>
  applyDecorators(
    ApiQuery({
      name: 'from',
      required: false,
      description: 'window start (ISO 8601, inclusive)',
      schema: { ...string, format: 'date-time' },
    }),
    ApiQuery({
      name: 'to',
      required: false,
      description: 'window end (ISO 8601, exclusive)',
      schema: { ...string, format: 'date-time' },
    }),
    ApiQuery({
      name: 'days',
      required: false,
      description: 'a window of this many days ending now (instead of from/to)',
      schema: { type: 'integer', minimum: 1 },
    }),
  );

/** Cursor pages: `limit` and the previous page's `nextCursor`. */
export const ApiPageQuery = (defaultLimit: number, maxLimit: number) =>
  applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      description: `at most this many (default ${defaultLimit})`,
      schema: { type: 'integer', minimum: 1, maximum: maxLimit },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'nextCursor of the previous page',
      schema: { ...string, maxLength: 400 },
    }),
  );

/** `format=json` (default) or `format=csv`. */
export const ApiFormatQuery = () =>
  ApiQuery({ name: 'format', required: false, schema: { type: 'string', enum: ['json', 'csv'] } });
