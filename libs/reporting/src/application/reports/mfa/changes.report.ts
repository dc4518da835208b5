import type { MfaChangeRow } from '../../../domain/read-model.types';
import { defineReport, person } from '../report-definition';
import { TABLES, baseRow } from '../report-sql';
import { MfaPage, mfaPageAnswer, mfaPageParams } from './mfa-lists';

export const changes = defineReport<MfaPage, MfaChangeRow[]>({
  service: 'mfa',
  name: 'changes',
  title: 'Changes: country codes and PINs',
  defaultDays: 30,
  params: mfaPageParams,
  query: async (sql, q) =>
    (await sql.page(TABLES.changes, q.page)).map((r) => ({
      ...baseRow(r),
      newCountryCode: String(r.new_country_code),
      newBackupCountryCode: String(r.new_backup_country_code),
      pinChanged: r.pin_changed as boolean | null,
      pinChangeRequired: r.pin_change_required as boolean | null,
    })),
  columns: [
    'eventId',
    'changedAt',
    'user',
    'subjectId',
    'erased',
    'newCountryCode',
    'newBackupCountryCode',
    'pinChanged',
    'pinChangeRequired',
  ],
  present: (rows, q, ctx) =>
    mfaPageAnswer(rows, q, ctx, (r, people) => ({
      eventId: r.eventId,
      changedAt: r.occurredAt.toISOString(),
      ...person(people, r.targetId),
      newCountryCode: r.newCountryCode || null,
      newBackupCountryCode: r.newBackupCountryCode || null,
      pinChanged: r.pinChanged,
      pinChangeRequired: r.pinChangeRequired,
    })),
});
