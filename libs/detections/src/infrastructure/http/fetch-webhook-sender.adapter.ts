import type { WebhookSender } from '../../application/webhook-sender.port';

/** Webhook POSTs through Node's fetch, each bounded by `timeoutMs` (default 10 s). */
export class FetchWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 10_000) {}

  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<number> {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers },
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // The body is not needed; reading it frees the connection for the next delivery.
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  }
}
