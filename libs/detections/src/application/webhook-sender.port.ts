/** Sends one webhook request; resolves with the HTTP status, throws on a network failure or timeout. */
export interface WebhookSender {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<number>;
}

/** A configured webhook: `id` names it in the store, logs and metrics (never the URL, which may hold a token). */
export interface Webhook {
  readonly id: string;
  readonly url: string;
}
