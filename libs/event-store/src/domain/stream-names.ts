/**
 * Stream naming of DESIGN.md "Streams and ordering". Tenant ids and subject ids never
 * contain '-'-free guarantees, so readers parse by prefix, never by splitting.
 */
export type DataCategory = 'sspr' | 'mfa';

/** `t-{tenant}-{category}-{subject}`: a person's facts of one category. */
export const dataStream = (tenantId: string, category: DataCategory, subjectId: string): string =>
  `t-${tenantId}-${category}-${subjectId}`;

/** `t-{tenant}-subject-{subject}`: a subject's lifecycle, appended with expected revision. */
export const subjectStream = (tenantId: string, subjectId: string): string =>
  `t-${tenantId}-subject-${subjectId}`;

/** `t-{tenant}-tenant`: the tenant's own lifecycle and admin actions. */
export const tenantStream = (tenantId: string): string => `t-${tenantId}-tenant`;

/** `t-{tenant}-ledger`: the tenant's seal chain. */
export const ledgerStream = (tenantId: string): string => `t-${tenantId}-ledger`;

/** `t-{tenant}-access`: audited reads of personal data and key changes. */
export const accessStream = (tenantId: string): string => `t-${tenantId}-access`;

/** Prefix shared by every stream of authtrail (server-side filters use it). */
export const STREAM_PREFIX = 't-';
