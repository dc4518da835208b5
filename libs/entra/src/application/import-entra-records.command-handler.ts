import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { INGEST_LIMITS, IngestEventsCommand, IngestLimits, IngestResult } from '@authtrail/ingest';
import { AppError, FieldError } from '@authtrail/platform';
import { mapEntraBatch, type MappedEvent } from '../domain/map-entra-batch';
import { EntraImportResult, ImportEntraRecordsCommand } from './import-entra-records.command';

/** Codes of the ingest command whose `errors` name single events that can be left out. */
const PER_EVENT_CODES = new Set(['EVENT.INVALID', 'EVENT.ID_CONFLICT']);

/**
 * Maps the records (pure, libs/entra domain) and hands the events to the ingest command —
 * the same validation, sealing, idempotency and append as `POST /v1/events`. The ingest
 * command is all or nothing; events it names as invalid or conflicting are reported
 * against their records and the rest is sent again without them.
 */
@CommandHandler(ImportEntraRecordsCommand)
export class ImportEntraRecordsHandler implements ICommandHandler<
  ImportEntraRecordsCommand,
  EntraImportResult
> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(INGEST_LIMITS) private readonly limits: IngestLimits,
  ) {}

  async execute(command: ImportEntraRecordsCommand): Promise<EntraImportResult> {
    const mapping = mapEntraBatch(command.records);
    const errors: FieldError[] = [...mapping.malformed];
    let accepted = 0;
    let duplicates = 0;
    const byCategory: Record<string, number> = {};
    for (let i = 0; i < mapping.events.length; i += this.limits.maxEvents) {
      const r = await this.ingest(
        command,
        mapping.events.slice(i, i + this.limits.maxEvents),
        errors,
      );
      accepted += r.accepted;
      duplicates += r.duplicates;
      for (const [category, n] of Object.entries(r.byCategory))
        byCategory[category] = (byCategory[category] ?? 0) + n;
    }
    errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return {
      received: mapping.received,
      accepted,
      duplicates,
      skipped: mapping.skipped,
      skippedBy: mapping.skippedBy,
      rejected: new Set(errors.map((e) => e.index)).size,
      errors,
      byCategory,
    };
  }

  private async ingest(
    command: ImportEntraRecordsCommand,
    batch: readonly MappedEvent[],
    errors: FieldError[],
  ): Promise<IngestResult> {
    let pending = batch;
    // Each round leaves out at least one event, so this ends; in practice one or two rounds.
    while (pending.length > 0) {
      try {
        return await this.commands.execute<IngestEventsCommand, IngestResult>(
          new IngestEventsCommand(
            command.tenantId,
            pending.map((m) => m.event),
            command.sourceId,
          ),
        );
      } catch (e) {
        if (!(e instanceof AppError) || !PER_EVENT_CODES.has(e.code) || e.errors.length === 0)
          throw e;
        const refused = new Set<number>();
        for (const issue of e.errors) {
          const m = issue.index === undefined ? undefined : pending[issue.index];
          if (m === undefined) throw e;
          refused.add(issue.index!);
          errors.push({
            index: m.index,
            path: m.sourcePath(issue.path),
            message: `${issue.message} (as ${m.event.type} ${issue.path})`,
          });
        }
        pending = pending.filter((_, i) => !refused.has(i));
      }
    }
    return { accepted: 0, duplicates: 0, byCategory: {} };
  }
}
