/** `touch` writes at most once per key per minute (CredentialStore port). */
export const TOUCH_INTERVAL_MS = 60_000;

/** In-process memory of the last written use, so most touches cost no query at all. */
export class TouchCoalescer {
  private readonly written = new Map<string, number>();

  shouldWrite(id: string, at: Date): boolean {
    const last = this.written.get(id);
    return last === undefined || at.getTime() - last >= TOUCH_INTERVAL_MS;
  }

  wrote(id: string, at: Date): void {
    this.written.set(id, at.getTime());
  }

  forget(ids?: Iterable<string>): void {
    if (ids === undefined) this.written.clear();
    else for (const id of ids) this.written.delete(id);
  }
}
