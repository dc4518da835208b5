import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { AppConfig, loadConfig } from '@authtrail/config';
import { EsdbEventStore, EventStore, SqliteEventStore, tenantStream } from '@authtrail/event-store';
import { LedgerService, LedgerVerification, readSealPublicKey } from '@authtrail/ledger';
import { CliError } from '../api-client';

export interface VerifyCommandOptions {
  readonly tenant?: string;
  /** PEM or the JSON of GET /v1/ledger/public-key; default: derived from AUTHTRAIL_SEAL_KEY_FILE. */
  readonly publicKey?: string;
}

/**
 * `authtrail verify`: recomputes every envelope hash, Merkle root, signature and chain link
 * from the event log itself — the SQLite file, or the EventStoreDB cluster of
 * `AUTHTRAIL_EVENT_STORE`. It only reads, so it runs with the server stopped or beside it.
 */
export async function verifyLog(
  config: AppConfig,
  options: VerifyCommandOptions = {},
  onProgress?: (position: number, head: number) => void,
): Promise<LedgerVerification> {
  if (config.eventStore.kind === 'sqlite' && !existsSync(config.eventStore.file))
    throw new CliError(`no event log at ${config.eventStore.file} (AUTHTRAIL_DATA_DIR)`);
  const keyFile = options.publicKey ?? config.sealKeyFile;
  if (!existsSync(keyFile))
    throw new CliError(
      `no seal key at ${keyFile}: pass --public-key with the published key (GET /v1/ledger/public-key)`,
    );
  const key = readSealPublicKey(keyFile);
  // SQLite keeps the hashes of the events retention pruned; on EventStoreDB the seals'
  // retention annex vouches for events the server expired (`$maxAge`), judged by the clock.
  let store: EventStore;
  let pruned: ConstructorParameters<typeof LedgerService>[2];
  if (config.eventStore.kind === 'sqlite') {
    const sqlite = SqliteEventStore.open(config.eventStore.file);
    store = sqlite;
    pruned = { read: (o) => sqlite.readPruned(o) };
  } else {
    store = EsdbEventStore.connect(config.eventStore.url);
  }
  try {
    // Every tenant's stream starts with tenant.TenantCreated: a tenant without one is a
    // typo, and "OK" over its 0 events would vouch for nothing.
    if (
      options.tenant !== undefined &&
      (await store.readStream(tenantStream(options.tenant), { limit: 1 })).length === 0
    )
      throw new CliError(
        `no tenant "${options.tenant}" in the event log: nothing to verify (without --tenant, verify checks and lists every tenant)`,
      );
    const head = await store.headPosition();
    return await new LedgerService(store, key, pruned).verify({
      ...(options.tenant === undefined ? {} : { tenantId: options.tenant }),
      onProgress: (position) => onProgress?.(position, head),
    });
  } finally {
    await store.close();
  }
}

/** The report as lines for a terminal. */
export function formatVerification(r: LedgerVerification): string[] {
  const lines = [
    `checked ${r.checkedEvents} events and ${r.checkedSeals} seals of ${r.tenants.length} tenant(s) with seal key ${r.keyId} in ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const t of r.tenants)
    lines.push(
      `  ${t.tenantId}: ${t.seals} seal(s) cover ${t.sealedEvents} events through position ${t.sealedThrough}; ${t.unsealedEvents} not sealed yet`,
    );
  const first = r.firstDisagreement;
  if (first === null) {
    lines.push('OK: the log matches its seals');
    return lines;
  }
  lines.push(
    `FAILED: first disagreement at position ${first.position} (tenant ${first.tenantId}): ${first.kind}: ${first.message}`,
  );
  for (const d of r.disagreements.slice(1, 50))
    lines.push(`  position ${d.position} (tenant ${d.tenantId}): ${d.kind}: ${d.message}`);
  if (r.disagreements.length > 50 || r.truncated) lines.push('  … more disagreements not shown');
  return lines;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'check the event log against its signed seals (AUTHTRAIL_DATA_DIR); exits 1 at the first disagreement',
    )
    .option('--tenant <id>', "only this tenant's events and seal chain")
    .option('--public-key <file>', 'seal public key (PEM or the JSON of GET /v1/ledger/public-key)')
    .option('--json', 'print the full report as JSON')
    .action(async (o: VerifyCommandOptions & { json?: boolean }) => {
      const tty = process.stderr.isTTY === true;
      let lastDraw = 0;
      const report = await verifyLog(loadConfig(), o, (position, head) => {
        const now = Date.now();
        if (!tty || now - lastDraw < 200) return;
        lastDraw = now;
        process.stderr.write(`\rverifying … position ${position}/${head}`);
      });
      if (lastDraw > 0) process.stderr.write('\n');
      process.stdout.write(
        o.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${formatVerification(report).join('\n')}\n`,
      );
      if (!report.ok) process.exitCode = 1;
    });
}
