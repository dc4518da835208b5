import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a webhook delivery (docs/siem.md "Webhooks"). */
export const WEBHOOK_HEADERS = {
  timestamp: 'authtrail-timestamp',
  signature: 'authtrail-signature',
  alertId: 'authtrail-alert-id',
} as const;

/**
 * `v1=` and the hex HMAC-SHA256, under the shared secret, of `{timestamp}.{body}`: the
 * timestamp (Unix seconds) is signed with the body, so a receiver that refuses old
 * timestamps refuses replayed deliveries too.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** A receiver's check: signature matches and the timestamp is within `toleranceS` of `nowS`. */
export function webhookSignatureValid(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowS: number,
  toleranceS = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isSafeInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, body));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
