import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { ClientOptions } from '../api-client';
import type { ReportCommandDeps } from './report.command';

/**
 * `authtrail diagnostics`: the support bundle of `GET /v1/diagnostics` (tenant-admin),
 * pseudonymous only, to attach to a support case.
 */
export function registerDiagnosticsCommand(program: Command, deps: ReportCommandDeps): void {
  deps
    .client(
      program
        .command('diagnostics')
        .description(
          'support bundle: version, redacted configuration, store health, worker lags, event counts, recent errors (no personal data)',
        ),
    )
    .option('--out <file>', 'write the bundle to this file (mode 0600) instead of printing it')
    .action(async (o: ClientOptions & { out?: string }) =>
      deps.call(o, async (api) => {
        const bundle = deps.expectOk(await api('GET', '/v1/diagnostics'));
        if (!o.out) return bundle;
        writeFileSync(o.out, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
        return `diagnostics written to ${o.out}`;
      }),
    );
}
