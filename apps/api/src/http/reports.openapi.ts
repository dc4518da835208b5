import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import { MFA_REPORTS, SSPR_REPORTS } from '@authtrail/reporting';

const WINDOW_DOC =
  'Window on occurredAt: from/to (ISO 8601, [from, to)) or days=N ending now; default 30 days (7 for resets). format=csv for CSV.';

/** `GET /v1/reports`. */
export const ApiReportList = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The prebuilt reports (the registry): path, question, default window, CSV columns',
    }),
  );

/** `GET /v1/reports/sspr/{report}`. */
export const ApiSsprReport = () =>
  applyDecorators(
    ApiOperation({
      summary: `SSPR reports of seed 002 and Microsoft's SSPR reporting doc (${SSPR_REPORTS.join(', ')})`,
      description: `${WINDOW_DOC} Registration reports are current state (no window). admin-self-resets and suspicious take min (default 3). Lists page with limit and cursor. policy-changes lists each change of the SSPR policy: who (the admin), when, status and reason, the policy and each setting's oldValue and newValue. suspicious gives the most frequent items first: limit (default 1000, at most 100000) of them, and total. user is the name for privacy-admin, the subject id for reader, null with erased: true once erased.`,
    }),
    ApiParam({ name: 'report', enum: SSPR_REPORTS }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] }),
  );

/** `GET /v1/reports/mfa/{report}`. */
export const ApiMfaReport = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'MFA reports of seed 000 (attempts by method and result, blocks and fraud alerts, bypasses, activations, changes)',
      description: `${WINDOW_DOC} Lists page with limit and cursor.`,
    }),
    ApiParam({ name: 'report', enum: MFA_REPORTS }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] }),
  );
