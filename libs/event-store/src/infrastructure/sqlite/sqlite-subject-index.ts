import { dataStream } from '../../domain/stream-names';

/**
 * Which subjects of an event get a row in the SQLite subject index (issue #15).
 *
 * A person's data streams (`t-{tenant}-sspr-{subject}`, `t-{tenant}-mfa-{subject}`) hold
 * only events about that person (DESIGN.md "Streams and ordering"), so the events index
 * on (stream_id, revision), which every event pays for anyway, already finds them. Only
 * the other people an event names (the admin who reset someone's password, people named
 * by system events in other streams) need an index row. Most events name one person in
 * that person's own stream: no row at all, where every event used to insert one or two
 * rows at random places of the index (a dirty B-tree page each per commit).
 */
export function indexedSubjects(
  tenantId: string,
  streamId: string,
  subjectIds: readonly string[],
): string[] {
  const out: string[] = [];
  for (const subjectId of new Set(subjectIds)) {
    if (!isDataStreamOf(tenantId, streamId, subjectId)) out.push(subjectId);
  }
  return out;
}

function isDataStreamOf(tenantId: string, streamId: string, subjectId: string): boolean {
  return (
    streamId.endsWith(subjectId) &&
    (streamId === dataStream(tenantId, 'sspr', subjectId) ||
      streamId === dataStream(tenantId, 'mfa', subjectId))
  );
}

/** The streams `readBySubject` reads besides the index: the person's data streams. */
export function subjectDataStreams(tenantId: string, subjectId: string): [string, string] {
  return [dataStream(tenantId, 'sspr', subjectId), dataStream(tenantId, 'mfa', subjectId)];
}
