import { Command } from 'commander';
import type { ClientOptions } from '../api-client';
import type { ReportCommandDeps } from './report.command';

/**
 * `authtrail holds place|release|list`: legal holds over `/v1/holds` (privacy-admin).
 * While a hold covers a person, their erasure is recorded and deferred, and retention
 * keeps their events; releasing the last covering hold runs the deferred erasure.
 */
export function registerHoldsCommand(program: Command, deps: ReportCommandDeps): void {
  const holds = program.command('holds').description('legal holds on a person or the tenant');
  deps
    .client(
      holds
        .command('place')
        .description(
          'hold a person (by userPrincipalName) or, with --tenant-wide, everyone in the tenant',
        )
        .argument('[userPrincipalName]'),
    )
    .requiredOption('--case <reference>', 'case or matter reference (no names), e.g. LIT-2026-014')
    .option('--tenant-wide', 'hold the whole tenant instead of one person')
    .action(
      async (upn: string | undefined, o: ClientOptions & { case: string; tenantWide?: boolean }) =>
        deps.call(o, async (api) =>
          deps.expectOk(
            await api(
              'POST',
              '/v1/holds',
              o.tenantWide
                ? {
                    scope: 'tenant',
                    caseReference: o.case,
                    ...(upn ? { userPrincipalName: upn } : {}),
                  }
                : { scope: 'person', userPrincipalName: upn, caseReference: o.case },
            ),
          ),
        ),
    );
  deps
    .client(
      holds
        .command('release')
        .description('release a hold; the erasures it deferred run now')
        .argument('<holdId>'),
    )
    .action(async (id: string, o: ClientOptions) =>
      deps.call(o, async (api) =>
        deps.expectOk(await api('DELETE', `/v1/holds/${encodeURIComponent(id)}`)),
      ),
    );
  deps
    .client(holds.command('list').description('holds in force and released, newest first'))
    .action(async (o: ClientOptions) =>
      deps.call(o, async (api) => deps.expectOk(await api('GET', '/v1/holds'))),
    );
}
