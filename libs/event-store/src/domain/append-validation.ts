import type { FieldError } from '@authtrail/platform';
import type { AppendToStream, StreamGuard } from './event-store.port';

/**
 * Caller mistakes in an append request, refused by every adapter before anything is
 * queued or sent, so all stores answer a bad request alike (and one bad request cannot
 * fail a group commit it would have joined).
 */
export function validateAppend(
  tenantId: string,
  streams: readonly AppendToStream[],
  guards: readonly StreamGuard[] = [],
): FieldError[] {
  const problems: FieldError[] = [];
  if (typeof tenantId !== 'string' || tenantId.length === 0)
    problems.push({ path: '/tenantId', message: 'must be a non-empty string' });
  let index = 0;
  streams.forEach((stream, s) => {
    if (typeof stream.streamId !== 'string' || stream.streamId.length === 0)
      problems.push({ path: `/streams/${s}/streamId`, message: 'must be a non-empty string' });
    const expected = stream.expectedRevision;
    if (!(
      expected === 'any' ||
      expected === 'no_stream' ||
      expected === 'stream_exists' ||
      (Number.isSafeInteger(expected) && expected >= 0)
    )) {
      problems.push({
        path: `/streams/${s}/expectedRevision`,
        message: 'must be any, no_stream, stream_exists or a revision',
      });
    }
    for (const event of stream.events) {
      const at = (field: string, message: string): void => {
        problems.push({ index, path: `/${field}`, message });
      };
      if (typeof event.eventId !== 'string' || event.eventId.length === 0)
        at('eventId', 'must be a non-empty string');
      if (typeof event.type !== 'string' || event.type.length === 0)
        at('type', 'must be a non-empty string');
      if (typeof event.fingerprint !== 'string') at('fingerprint', 'must be a string');
      if (!(event.occurredAt instanceof Date) || Number.isNaN(event.occurredAt.getTime()))
        at('occurredAt', 'must be a valid date');
      if (!(event.data instanceof Uint8Array)) at('data', 'must be bytes');
      if (
        !Array.isArray(event.subjectIds) ||
        event.subjectIds.some((id) => typeof id !== 'string' || id.length === 0)
      )
        at('subjectIds', 'must be non-empty strings');
      index++;
    }
  });
  guards.forEach((guard, g) => {
    if (typeof guard.streamId !== 'string' || guard.streamId.length === 0)
      problems.push({ path: `/guards/${g}/streamId`, message: 'must be a non-empty string' });
    if (
      !Array.isArray(guard.withoutTypes) ||
      guard.withoutTypes.length === 0 ||
      guard.withoutTypes.some((t) => typeof t !== 'string' || t.length === 0)
    )
      problems.push({
        path: `/guards/${g}/withoutTypes`,
        message: 'must be a non-empty list of event types',
      });
  });
  return problems;
}
