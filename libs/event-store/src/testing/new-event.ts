import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../domain/event-store.port';

/** An event for the SQLite store's specs: a fresh id and fingerprint, a person, a small body. */
export const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'mfa.AuthenticationAttempted',
  fingerprint: randomUUID(),
  subjectIds: ['s-kim'],
  occurredAt: new Date('2026-11-20T09:14:03.120Z'),
  data: Buffer.from(JSON.stringify({ result: 'Success' })),
  ...overrides,
});
