import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

/** `POST /v1/subjects/erase`. */
export const ApiEraseSubject = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Erase a person: shred their key so every copy of their personal data is unreadable; the log stays intact',
    }),
  );

/** `POST /v1/subjects/export`. */
export const ApiExportSubject = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Export every stored event about a person: their own fields decrypted, others as subject ids',
    }),
  );

/** `GET /v1/subjects/{subjectId}/events`. */
export const ApiSubjectEvents = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Events about a subject id: names only for privacy-admin; erased people marked erased',
    }),
  );
