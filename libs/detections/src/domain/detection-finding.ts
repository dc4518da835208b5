import { AUTHTRAIL_PRODUCT, OCSF_VERSION, SIEM_TOPICS, type OcsfProduct } from '@authtrail/siem';
import type { Alert } from './alert';

/** Kafka topic of the alerts (docs/siem.md "Alerts"): key = alert id. */
export const ALERTS_TOPIC = SIEM_TOPICS.alerts;

const SEVERITY: Record<number, string> = { 3: 'Medium', 4: 'High' };

/**
 * An alert as an OCSF Detection Finding (class 2004, activity 1 Create). The person is
 * `evidences[].user.uid`, a subject id; the events behind it are `finding_info.related_events`
 * by event id and type. Nothing personal: no name, address or IP is in an alert.
 */
export function toDetectionFinding(
  alert: Alert,
  product: OcsfProduct = AUTHTRAIL_PRODUCT,
): Record<string, unknown> {
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: alert.severityId,
    severity: SEVERITY[alert.severityId],
    time: alert.detectedAtMs,
    timezone_offset: 0,
    status_id: 1,
    status: 'New',
    is_alert: true,
    message: alert.title,
    metadata: {
      uid: alert.id,
      version: OCSF_VERSION,
      product: { name: product.name, vendor_name: product.vendorName, version: product.version },
      tenant_uid: alert.tenantId,
      log_name: ALERTS_TOPIC,
      event_code: alert.rule,
      sequence: alert.position,
    },
    finding_info: {
      uid: alert.id,
      title: alert.title,
      desc: alert.description,
      types: [alert.rule],
      analytic: { uid: alert.rule, name: alert.rule, type_id: 1, type: 'Rule' },
      first_seen_time: alert.firstSeenMs,
      last_seen_time: alert.lastSeenMs,
      related_events: alert.events.map((e) => ({ uid: e.uid, type: e.type })),
      related_events_count: alert.count,
    },
    evidences: [{ user: { uid: alert.subjectId } }],
    unmapped: {
      rule: alert.rule,
      subject_uid: alert.subjectId,
      count: alert.count,
      threshold: alert.threshold,
      window_ms: alert.windowMs,
      events: alert.events.map((e) => ({ uid: e.uid, type: e.type, sequence: e.position })),
    },
  };
}
