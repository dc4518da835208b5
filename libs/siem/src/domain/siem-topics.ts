/**
 * The SIEM stream's topics (API.md "SIEM stream"). Names are public interface: a new shape
 * gets a new `.vN` topic, never a change in place.
 */
export const SIEM_TOPICS = {
  /** One OCSF 1.x JSON record per event, key `tenant/subjectId`. No personal field. */
  events: 'authtrail.events.v1',
  /** Compacted: key `tenant/subjectId`, value the person's identity fields; null = erased. */
  subjects: 'authtrail.subjects.v1',
  /** Every ledger seal, key `tenant`, so that a third party keeps them. */
  seals: 'authtrail.seals.v1',
  /** Live detections as OCSF Detection Findings, key = alert id (libs/detections). */
  alerts: 'authtrail.alerts.v1',
} as const;

export type SiemTopic = (typeof SIEM_TOPICS)[keyof typeof SIEM_TOPICS];

/**
 * How long an erased person's last identity value may stay on the broker's disk after its
 * tombstone was written. Kafka compacts only closed segments: the active segment rolls
 * within `segment.ms`, and the cleaner must compact a dirty segment within
 * `max.compaction.lag.ms` (KIP-354,
 * https://kafka.apache.org/documentation/#topicconfigs_max.compaction.lag.ms).
 * `delete.retention.ms` is how long the tombstone itself stays, so that every consumer
 * that was offline for less than that still sees it.
 */
export const SUBJECTS_TOPIC_RETENTION = {
  segmentMs: 6 * 3_600_000,
  maxCompactionLagMs: 18 * 3_600_000,
  deleteRetentionMs: 24 * 3_600_000,
} as const;

/** Upper bound, in ms, on how long an erased identity value stays on disk (24 h with the defaults). */
export const ERASED_VALUE_MAX_AGE_MS =
  SUBJECTS_TOPIC_RETENTION.segmentMs + SUBJECTS_TOPIC_RETENTION.maxCompactionLagMs;

export interface TopicSpec {
  readonly topic: SiemTopic;
  readonly configs: Readonly<Record<string, string>>;
}

/** Topic configurations authtrail creates at start-up (existing topics are left as they are). */
export function siemTopicSpecs(): readonly TopicSpec[] {
  const r = SUBJECTS_TOPIC_RETENTION;
  return [
    { topic: SIEM_TOPICS.events, configs: { 'cleanup.policy': 'delete' } },
    {
      topic: SIEM_TOPICS.subjects,
      configs: {
        'cleanup.policy': 'compact',
        'segment.ms': String(r.segmentMs),
        'max.compaction.lag.ms': String(r.maxCompactionLagMs),
        'delete.retention.ms': String(r.deleteRetentionMs),
        // Compact as soon as any record is superseded: erased values must not wait for half
        // the log to be dirty (the default 0.5).
        'min.cleanable.dirty.ratio': '0.01',
      },
    },
    // Seals are kept for good: a third party's copy is the point.
    { topic: SIEM_TOPICS.seals, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' } },
    { topic: SIEM_TOPICS.alerts, configs: { 'cleanup.policy': 'delete' } },
  ];
}
