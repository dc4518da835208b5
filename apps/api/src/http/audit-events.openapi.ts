import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/audit-events` (its query parameters come from `auditEventsParams`, see openapi/). */
export const ApiAuditEvents = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Query the audit log (SSPR and MFA events, and privacy, tenant and access records), newest first, with cursor pages',
      description:
        'Filters: service, type (comma-separated), status, actorId, targetId, from/to or days; ' +
        'privacy-admin may also filter by actor/target user principal name (resolved to a subject id first, never logged). ' +
        'privacy-admin may also filter by actorDisplayName/targetDisplayName (resolved the same way; 409 when two people share it). ' +
        'hideOwnAccess=true leaves out the access records of your own key. ' +
        'limit, cursor (nextCursor of the previous page), format=csv (every page, streamed; bom=true for spreadsheets). Unknown or bad parameters: 422 naming each.',
    }),
    ApiProduces('application/json', 'text/csv'),
    ApiJson(200, 'A page of audit records, newest first', ref('AuditEvents')),
    ApiProblems(...AUTHENTICATED, 409, 422, 503),
  );
