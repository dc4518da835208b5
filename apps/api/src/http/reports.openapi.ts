import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces } from '@nestjs/swagger';
import { MFA_REPORTS, SSPR_REPORTS } from '@authtrail/reporting';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

const WINDOW_DOC =
  'Window on occurredAt: from/to (ISO 8601, [from, to)) or days=N ending now; default 30 days (7 for resets). format=csv for CSV.';

/** `GET /v1/reports`. */
export const ApiReportList = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The prebuilt reports (the registry): path, question, default window, CSV columns',
    }),
    ApiJson(200, 'Every prebuilt report', ref('ReportList')),
    ApiProblems(...AUTHENTICATED),
  );

/**
 * A report route. In the document it becomes one path per report of the registry, with
 * the parameters that report reads and its answer (openapi/openapi-document.ts).
 */
const report = (service: string, names: readonly string[], description: string) =>
  applyDecorators(
    ApiOperation({ summary: `${service} report`, description: `${WINDOW_DOC} ${description}` }),
    ApiParam({ name: 'report', enum: names }),
    ApiProduces('application/json', 'text/csv'),
    ApiProblems(...AUTHENTICATED, 422, 503),
  );

/** `GET /v1/reports/sspr/{report}`. */
export const ApiSsprReport = () =>
  report(
    'SSPR',
    SSPR_REPORTS,
    "Registration reports are current state (no window). admin-self-resets and suspicious take min (default 3). Lists page with limit and cursor. policy-changes lists each change of the SSPR policy: who (the admin), when, status and reason, the policy and each setting's oldValue and newValue. suspicious gives the most frequent items first: limit (default 1000, at most 100000) of them, and total. user is the name for privacy-admin, the subject id for reader, null with erased: true once erased.",
  );

/** `GET /v1/reports/mfa/{report}`. */
export const ApiMfaReport = () => report('MFA', MFA_REPORTS, 'Lists page with limit and cursor.');
