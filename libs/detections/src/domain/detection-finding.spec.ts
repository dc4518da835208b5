import { OcsfSchema } from '@authtrail/testing';
import { alertId } from './alert';
import { toDetectionFinding } from './detection-finding';
import { WEBHOOK_HEADERS, webhookSignature, webhookSignatureValid } from './webhook-signature';

const schema = OcsfSchema.load();

const alert = {
  id: alertId('contoso', 'reset-then-mfa-change', 's_kim', 'e-1'),
  tenantId: 'contoso',
  rule: 'reset-then-mfa-change',
  subjectId: 's_kim',
  severityId: 4 as const,
  title: 'Password reset followed by an MFA method change',
  description: 'a password reset and an MFA method change within 10 minutes',
  count: 2,
  threshold: 1,
  windowMs: 600_000,
  firstSeenMs: 1_795_000_000_000,
  lastSeenMs: 1_795_000_120_000,
  detectedAtMs: 1_795_000_121_000,
  position: 42,
  events: [
    { uid: 'e-1', type: 'sspr.PasswordResetByAdmin', position: 40, timeMs: 1_795_000_000_000 },
    { uid: 'e-2', type: 'mfa.UserChanged', position: 42, timeMs: 1_795_000_120_000 },
  ],
};

describe('alerts as OCSF Detection Findings', () => {
  it('is a valid Detection Finding (2004, Create) naming the person by subject id only', () => {
    const f = toDetectionFinding(alert);
    expect(schema.validate(f)).toEqual([]);
    expect(f).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      is_alert: true,
      metadata: { uid: alert.id, tenant_uid: 'contoso', log_name: 'authtrail.alerts.v1' },
      finding_info: {
        uid: alert.id,
        analytic: { name: 'reset-then-mfa-change', type_id: 1 },
        related_events: [
          { uid: 'e-1', type: 'sspr.PasswordResetByAdmin' },
          { uid: 'e-2', type: 'mfa.UserChanged' },
        ],
      },
      evidences: [{ user: { uid: 's_kim' } }],
    });
  });

  it('a broken finding is caught by the validator (the check can fail)', () => {
    const f = toDetectionFinding(alert);
    delete f.finding_info;
    expect(schema.validate(f).length).toBeGreaterThan(0);
  });

  it('alert ids are UUIDv5 of tenant, rule, person and anchor event', () => {
    expect(alertId('contoso', 'r', 's', 'e')).toBe(alertId('contoso', 'r', 's', 'e'));
    expect(alertId('contoso', 'r', 's', 'e')).not.toBe(alertId('fabrikam', 'r', 's', 'e'));
    expect(alertId('contoso', 'r', 's', 'e')).not.toBe(alertId('contoso', 'r', 's', 'f'));
  });
});

describe('webhook signatures', () => {
  const secret = 'x'.repeat(32);
  const body = JSON.stringify(toDetectionFinding(alert));
  const ts = 1_795_000_200;

  it('is v1= hex HMAC-SHA256 of "timestamp.body", checked within a tolerance', () => {
    const signature = webhookSignature(secret, ts, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(webhookSignatureValid(secret, { timestamp: String(ts), signature }, body, ts + 10)).toBe(
      true,
    );
    expect(
      webhookSignatureValid(secret, { timestamp: String(ts), signature }, `${body} `, ts),
    ).toBe(false);
    expect(
      webhookSignatureValid('y'.repeat(32), { timestamp: String(ts), signature }, body, ts),
    ).toBe(false);
    expect(webhookSignatureValid(secret, { timestamp: String(ts + 1), signature }, body, ts)).toBe(
      false,
    );
    expect(
      webhookSignatureValid(secret, { timestamp: String(ts), signature }, body, ts + 301),
    ).toBe(false);
    expect(WEBHOOK_HEADERS.signature).toBe('authtrail-signature');
  });
});
