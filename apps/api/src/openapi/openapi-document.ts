import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { EventCatalog } from '@authtrail/catalog';
import { type AnyReport, REPORTS } from '@authtrail/reporting';
import { eventSchemas } from './event-schemas';
import { COMPONENT_SCHEMAS } from './component-schemas';
import {
  auditParameters,
  reportParameters,
  reportSchemaName,
  reportSchemas,
} from './report-schemas';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

/**
 * The OpenAPI 3.1 document of `/docs/openapi.json`: Nest's scan of the controllers and
 * their `*.openapi.ts` bundles, completed with the components derived from the code (the
 * catalog's JSON Schemas of the events, the report registry's answers and parameters) and
 * one path per prebuilt report, so a client generator gets a type per report.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('authtrail')
      .setDescription(
        'Event-sourced audit log for SSPR and MFA events with crypto-shredding erasure. ' +
          'Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 application/problem+json ' +
          '(`Problem`), with every offending field in `errors`.',
      )
      .setVersion('1')
      .setLicense('UNLICENSED (proprietary; see package.json)', 'https://spdx.org/licenses/')
      .addServer(
        '/',
        'the authtrail server that serves this document (authtrail serve, port AUTHTRAIL_PORT)',
      )
      .addBearerAuth()
      .build(),
    {
      operationIdFactory: (controller, method) =>
        `${controller.replace(/Controller$/, '')}_${method}`,
    },
  );
  const catalog = app.get(EventCatalog);
  document.openapi = '3.1.0';
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...COMPONENT_SCHEMAS,
      ...eventSchemas(catalog),
      ...reportSchemas(),
    },
  };
  expandReportPaths(document);
  addNdjsonBody(document.paths['/v1/events']?.post);
  addBodyProblems(document);
  const audit = document.paths['/v1/audit-events']?.get;
  if (audit) audit.parameters = auditParameters(catalog) as unknown as Operation['parameters'];
  return document;
}

/** `/v1/reports/{service}/{report}` becomes one path per registry entry. */
function expandReportPaths(document: OpenAPIObject): void {
  for (const service of ['sspr', 'mfa'] as const) {
    const template = `/v1/reports/${service}/{report}`;
    const generic = document.paths[template]?.get;
    if (!generic) continue;
    delete document.paths[template];
    for (const r of (REPORTS as readonly AnyReport[]).filter((x) => x.service === service)) {
      const ok = {
        description: r.title,
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${reportSchemaName(r)}` } },
          'text/csv': {
            schema: { type: 'string', description: `CSV with header ${r.columns.join(',')}` },
          },
        },
      };
      document.paths[`/v1/reports/${service}/${r.name}`] = {
        get: {
          ...generic,
          operationId: `report_${service}_${r.name.replace(/-/g, '_')}`,
          summary: r.title,
          parameters: reportParameters(r) as unknown as Operation['parameters'],
          responses: { ...generic.responses, 200: ok },
        },
      };
    }
  }
}

/** POST /v1/events also reads application/x-ndjson: one event per line (create-api.ts). */
function addNdjsonBody(operation: Operation | undefined): void {
  const body = operation?.requestBody;
  if (!body || !('content' in body)) return;
  body.content['application/x-ndjson'] = {
    schema: { type: 'string', description: 'one ProducerEvent JSON object per line' },
  };
}

/**
 * Fastify reads the body of every POST before the route runs, also on routes that take
 * none (opt-in, cancel-deletion): each may answer 400 (unreadable JSON), 413 (over the
 * size limit) and 415 (another media type), and the document says so.
 */
function addBodyProblems(document: OpenAPIObject): void {
  const problems: Record<number, string> = {
    400: 'The request cannot be read (malformed JSON, empty body, bad content-length)',
    413: 'The body is over the size limit (`maxBodyBytes`)',
    415: 'The content type is not accepted (`acceptedMediaTypes`)',
  };
  for (const item of Object.values(document.paths)) {
    const op = item.post;
    if (!op) continue;
    for (const [status, description] of Object.entries(problems)) {
      op.responses[status] ??= {
        description,
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
  }
}
