import { SiemTopic } from './siem-topics';

/** One record for the broker (or the file sink). `value` null is a tombstone. */
export interface SiemRecord {
  readonly topic: SiemTopic;
  readonly key: string;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Record key of a person: `tenant/subjectId`; of an event about no person: `tenant`. */
export function recordKey(tenantId: string, subjectId: string | null): string {
  return subjectId === null ? tenantId : `${tenantId}/${subjectId}`;
}

/**
 * The person an event is filed under (DESIGN.md "Streams and ordering"): the target, else
 * the actor, else the subject a service event is about.
 */
export function primarySubject(subjects: Readonly<Record<string, string>>): string | null {
  return subjects.target ?? subjects.actor ?? subjects.subject ?? null;
}
