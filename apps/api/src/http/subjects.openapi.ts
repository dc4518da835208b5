import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiJsonBody, ApiProblems, ref } from './openapi.common';

/** `POST /v1/subjects/erase`. */
export const ApiEraseSubject = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Erase a person: shred their key so every copy of their personal data is unreadable; the log stays intact',
    }),
    ApiJsonBody(ref('PersonRequest')),
    ApiJson(200, 'Erased (subjectId null: nobody of that name is known)', ref('ErasureResult')),
    ApiProblems(400, ...AUTHENTICATED, 409, 415, 422, 503),
  );

/** `POST /v1/subjects/export`. */
export const ApiExportSubject = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Export every stored event about a person: their own fields decrypted, others as subject ids',
    }),
    ApiJsonBody(ref('PersonRequest')),
    ApiJson(200, 'The export', ref('SubjectExport')),
    ApiProblems(400, ...AUTHENTICATED, 415, 422, 503),
  );

/** `GET /v1/subjects/{subjectId}/events`. */
export const ApiSubjectEvents = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Events about a subject id: names only for privacy-admin; erased people marked erased',
    }),
    ApiParam({ name: 'subjectId', schema: { type: 'string' } }),
    ApiJson(200, 'The events', ref('SubjectEvents')),
    ApiProblems(...AUTHENTICATED, 404, 503),
  );
