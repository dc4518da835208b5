import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { EventCatalog, type ProducerEvent, exampleEvent } from '@authtrail/catalog';
import { CliError } from '../api-client';

/**
 * The catalog's example of each producer type (or of the types named), as a JSON array
 * ready for `POST /v1/events`: each with a new eventId and occurredAt a minute ago, so it
 * is always inside its retention window (the dated copies in examples/ age out: MFA events
 * older than 90 days are refused).
 */
export function freshExamples(types: readonly string[], now = new Date()): ProducerEvent[] {
  const known = EventCatalog.default()
    .producerTypes()
    .map((d) => d.type);
  const unknown = types.filter((t) => !known.includes(t));
  if (unknown.length > 0)
    throw new CliError(
      `unknown event type ${unknown.join(', ')}; the types are: ${known.join(', ')}`,
    );
  const occurredAt = new Date(now.getTime() - 60_000).toISOString();
  return (types.length > 0 ? types : known).map((type) =>
    exampleEvent(type, { eventId: randomUUID(), occurredAt }),
  );
}

export function registerExamplesCommand(program: Command): void {
  program
    .command('examples')
    .description(
      'print one valid example event per producer type (or of the types named) as a JSON array for POST /v1/events, with new ids and a current occurredAt',
    )
    .argument('[types...]', 'event types, e.g. sspr.PasswordChanged (default: all)')
    .action((types: string[]) => {
      process.stdout.write(`${JSON.stringify(freshExamples(types), null, 2)}\n`);
    });
}
