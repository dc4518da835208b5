import { createInterface } from 'node:readline/promises';
import { CliError } from './api-client';

export interface ConfirmOptions {
  /** `--yes`: confirmed in advance (scripts). */
  readonly yes?: boolean;
  /** What is about to happen, as a question: `Delete tenant "acme"?` */
  readonly question: string;
  /** What it destroys, in one sentence. */
  readonly consequence: string;
  /** What the user must type to go ahead. */
  readonly expected: string;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream;
}

/**
 * Destructive commands (tenant deletion, erasure) cannot be undone, so they ask on the
 * terminal first. Without a terminal to ask on (a script, a pipe) they need `--yes`: a
 * script must say so instead of destroying data because nobody was there to answer.
 */
export async function confirm(o: ConfirmOptions): Promise<void> {
  if (o.yes === true) return;
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  if (input.isTTY !== true)
    throw new CliError(
      `${o.question} ${o.consequence} Nothing was changed: pass --yes to confirm without a terminal.`,
    );
  const rl = createInterface({ input, output, terminal: false });
  try {
    // The input may end (Ctrl-D) before an answer: that is a no.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const answer = await Promise.race([
      rl.question(`${o.question} ${o.consequence}\nType ${o.expected} to confirm: `),
      closed,
    ]);
    if (answer.trim() !== o.expected)
      throw new CliError(`not confirmed (expected "${o.expected}"): nothing was changed`);
  } finally {
    rl.close();
  }
}
