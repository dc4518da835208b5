// First: `serve` may relaunch itself with its memory defaults before anything else loads.
import './serve-relaunch';
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '@authtrail/config';
import { AppError } from '@authtrail/platform';
import { ApiCall, ApiTarget, CliError, ClientOptions, withApi } from './api-client';
import { confirm } from './confirm';
import { ingestFile } from './commands/ingest.command';
import { serve } from './commands/serve.command';
import { rotateMasterKey } from './commands/rotate-master-key.command';
import { benchIngest } from './commands/bench-ingest';
import { registerAuditCommand, registerReportCommand } from './commands/report.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerDiagnosticsCommand } from './commands/diagnostics.command';
import { registerVerifyCommand } from './commands/verify.command';
import { registerImportEntraCommand } from './commands/import-entra.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerExamplesCommand } from './commands/examples.command';
import { registerHoldsCommand } from './commands/holds.command';
import { registerErasuresCommand } from './commands/erasures.command';

/**
 * `authtrail`: the admin CLI. Data commands go through the HTTP API (see api-client.ts),
 * so they obey the same validation, roles and audit trail as any other client.
 */
const program = new Command('authtrail')
  .description('Event-sourced audit log for SSPR and MFA events, with crypto-shredding erasure')
  .showHelpAfterError();

/** --url, --key and (unless the command names its tenant otherwise) --tenant. */
const client = (cmd: Command, withTenant = true): Command => {
  cmd
    .addOption(
      new Option('--url <url>', 'API of a running server (default: the one holding the data dir)'),
    )
    .addOption(new Option('--key <key>', 'API key for a running server (or AUTHTRAIL_API_KEY)'));
  if (withTenant)
    cmd.addOption(
      new Option(
        '--tenant <id>',
        "tenant to act on (default: the key's; without a key, default). A key acts on its own tenant only: another is refused",
      ),
    );
  return cmd;
};

async function call(
  options: ClientOptions,
  fn: (api: ApiCall, target: ApiTarget) => Promise<unknown>,
): Promise<void> {
  const config = loadConfig();
  const out = await withApi(config, options, fn);
  if (out !== undefined)
    process.stdout.write(`${typeof out === 'string' ? out : JSON.stringify(out, null, 2)}\n`);
}

/** Non-2xx answers print the problem document and exit non-zero. */
function expectOk(r: { status: number; body: unknown }): unknown {
  if (r.status >= 300) {
    process.stderr.write(`${JSON.stringify(r.body, null, 2)}\n`);
    throw new CliError(`request failed with HTTP ${r.status}`);
  }
  return r.body;
}

program
  .command('serve')
  .description(
    'run the API and the workers in one process (embedded stores under ./data by default)',
  )
  .action(async () => serve(loadConfig()));

program
  .command('rotate-master-key')
  .description('re-wrap every tenant key under a new master key (server stopped; events untouched)')
  .option(
    '--new-key <base64>',
    'with AUTHTRAIL_MASTER_KEY: the new key to use (to finish a rotation that was cut off)',
  )
  .action(async (o: { newKey?: string }) => {
    process.stdout.write(`${await rotateMasterKey(loadConfig(), o.newKey)}\n`);
  });

const bench = program.command('bench').description('benchmarks that print a table (see README)');
bench
  .command('ingest')
  .description(
    'ingest throughput over HTTP (batches of 1000 and single events) and the cost of encryption',
  )
  .option('--seconds <n>', 'duration of each HTTP run', '10')
  .option('--json <file>', 'also write the results to this JSON file')
  .action(async (o: { seconds: string; json?: string }) => {
    const result = await benchIngest({
      seconds: Number(o.seconds),
      out: (l) => process.stdout.write(`${l}\n`),
    });
    if (o.json)
      writeFileSync(
        o.json,
        JSON.stringify({ at: new Date().toISOString(), ingest: result }, null, 2),
      );
  });

const keys = program.command('keys').description('API keys of a tenant');
client(keys.command('create').description('create a key; it is shown once'))
  .requiredOption(
    '--roles <roles>',
    'comma-separated: producer, reader, privacy-admin, tenant-admin, operator',
  )
  .option('--name <name>', 'a label')
  .option('--expires-at <iso>', 'expiry time')
  .action(async (o: ClientOptions & { roles: string; name?: string; expiresAt?: string }) =>
    call(o, async (api) =>
      expectOk(
        await api('POST', '/v1/keys', {
          roles: o.roles.split(',').map((r) => r.trim()),
          name: o.name,
          expiresAt: o.expiresAt,
        }),
      ),
    ),
  );
client(keys.command('list').description('list keys (never their secrets)')).action(
  async (o: ClientOptions) => call(o, async (api) => expectOk(await api('GET', '/v1/keys'))),
);
client(keys.command('revoke').description('revoke a key').argument('<id>')).action(
  async (id: string, o: ClientOptions) =>
    call(o, async (api) => {
      expectOk(await api('DELETE', `/v1/keys/${encodeURIComponent(id)}`));
      return `revoked ${id}`;
    }),
);

const tenants = program.command('tenants').description('tenants');
client(
  tenants
    .command('create')
    .description('create a tenant and print its first admin key (operator)')
    .argument('<tenantId>'),
  false,
).action(async (tenantId: string, o: ClientOptions) =>
  call(o, async (api) => expectOk(await api('POST', '/v1/tenants', { tenantId }))),
);
client(tenants.command('opt-in').description('opt the tenant in to data collection')).action(
  async (o: ClientOptions) =>
    call(o, async (api) => expectOk(await api('POST', '/v1/tenant/opt-in'))),
);
client(
  tenants
    .command('delete')
    .description(
      'schedule deletion of the tenant: after the grace period (AUTHTRAIL_TENANT_DELETION_GRACE) its key is shredded; asks first',
    ),
)
  .option('--yes', 'do not ask for confirmation (needed without a terminal)')
  .action(async (o: ClientOptions & { yes?: boolean }) =>
    call(o, async (api, target) => {
      await confirm({
        yes: o.yes,
        question: `Delete tenant "${target.tenantId}"?`,
        consequence:
          'After the grace period its key is shredded and every event of it is unreadable for good (tenants cancel-deletion stops it until then).',
        expected: target.tenantId,
      });
      return expectOk(await api('DELETE', '/v1/tenant'));
    }),
  );
client(tenants.command('cancel-deletion').description('cancel a scheduled deletion')).action(
  async (o: ClientOptions) =>
    call(o, async (api) => expectOk(await api('POST', '/v1/tenant/cancel-deletion'))),
);

client(
  program
    .command('erase')
    .description('erase a person: shred their key (crypto-shredding); asks first')
    .argument('<userPrincipalName>'),
)
  .option('--yes', 'do not ask for confirmation (needed without a terminal)')
  .action(async (upn: string, o: ClientOptions & { yes?: boolean }) =>
    call(o, async (api, target) => {
      await confirm({
        yes: o.yes,
        question: `Erase ${upn} in tenant "${target.tenantId}"?`,
        consequence: 'Their key is shredded: their personal data becomes unreadable for good.',
        expected: 'erase',
      });
      return expectOk(await api('POST', '/v1/subjects/erase', { userPrincipalName: upn }));
    }),
  );
client(
  program
    .command('export')
    .description('export every stored event about a person as JSON')
    .argument('<userPrincipalName>'),
).action(async (upn: string, o: ClientOptions) =>
  call(o, async (api) =>
    expectOk(await api('POST', '/v1/subjects/export', { userPrincipalName: upn })),
  ),
);

client(
  program
    .command('ingest')
    .description(
      'post events from an NDJSON or JSON-array file, of any size: sent in batches within the ingest limits',
    )
    .argument('<file>'),
).action(async (file: string, o: ClientOptions) => {
  const { ingest } = loadConfig();
  return call(o, (api) =>
    ingestFile(api, file, ingest, (problem) =>
      process.stderr.write(`${JSON.stringify(problem, null, 2)}\n`),
    ),
  );
});

registerDemoCommand(program, { client, call, expectOk });
registerReportCommand(program, { client, call, expectOk });
registerAuditCommand(program, { client, call, expectOk });
registerReplayCommand(program);
registerDiagnosticsCommand(program, { client, call, expectOk });
registerVerifyCommand(program);
registerExamplesCommand(program);
registerImportEntraCommand(program, { client, call, expectOk });
registerHoldsCommand(program, { client, call, expectOk });
registerErasuresCommand(program, { client, call, expectOk });

program.parseAsync(process.argv).catch((error: unknown) => {
  // Our own errors, and the system's (a file, a port): one line, no stack trace.
  if (
    error instanceof ConfigError ||
    error instanceof CliError ||
    error instanceof AppError ||
    typeof (error as NodeJS.ErrnoException)?.code === 'string'
  ) {
    process.stderr.write(`authtrail: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`authtrail: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
