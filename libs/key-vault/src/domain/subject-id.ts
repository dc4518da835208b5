import { randomBytes } from 'node:crypto';

/** Subject ids are random (never derived from the name): `s_` + 22 base64url chars (128 bits). */
export const SUBJECT_ID_PATTERN = /^s_[A-Za-z0-9_-]{22}$/;

export function newSubjectId(): string {
  return `s_${randomBytes(16).toString('base64url')}`;
}

export function isSubjectId(value: string): boolean {
  return SUBJECT_ID_PATTERN.test(value);
}
