import type { MfaActivationRow } from '../../../domain/read-model.types';
import { defineReport, person } from '../report-definition';
import { TABLES, baseRow } from '../report-sql';
import { MfaPage, mfaPageAnswer, mfaPageParams } from './mfa-lists';

export const activations = defineReport<MfaPage, MfaActivationRow[]>({
  service: 'mfa',
  name: 'activations',
  title: 'Authenticator app activations, with their result',
  defaultDays: 30,
  params: mfaPageParams,
  query: async (sql, q) =>
    (await sql.page(TABLES.activations, q.page)).map((r) => ({
      ...baseRow(r),
      deviceType: String(r.device_type),
      appVersion: String(r.app_version),
      oathTokenEnabled: r.oath_token_enabled as boolean | null,
      getActivationCodeResult: String(r.get_activation_code_result),
      activationStatusResult: String(r.activation_status_result),
    })),
  columns: [
    'eventId',
    'activatedAt',
    'user',
    'subjectId',
    'erased',
    'status',
    'error',
    'deviceType',
    'appVersion',
    'oathTokenEnabled',
    'getActivationCodeResult',
    'activationStatusResult',
  ],
  present: (rows, q, ctx) =>
    mfaPageAnswer(rows, q, ctx, (r, people) => ({
      eventId: r.eventId,
      activatedAt: r.occurredAt.toISOString(),
      ...person(people, r.targetId),
      status: r.status,
      error: r.reason || null,
      deviceType: r.deviceType || null,
      appVersion: r.appVersion || null,
      oathTokenEnabled: r.oathTokenEnabled,
      getActivationCodeResult: r.getActivationCodeResult || null,
      activationStatusResult: r.activationStatusResult || null,
    })),
});
