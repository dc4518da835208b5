import type { Command } from 'commander';
import { CliError, type ApiCall, type ClientOptions } from '../api-client';
import { demoEvents } from './demo-data';
import type { ReportCommandDeps } from './report.command';

/** The roles `authtrail demo` needs: opting the tenant in and posting events. */
export const DEMO_ROLES = { optIn: 'tenant-admin', post: 'producer' } as const;

interface DemoOptions extends ClientOptions {
  readonly people: string;
  readonly days: string;
}

/**
 * `authtrail demo`: opts the tenant in and loads realistic demo events. It works with the
 * bootstrap key (operator and tenant-admin, no producer role): a tenant-admin key without
 * the producer role creates a temporary producer key for the load and revokes it after,
 * so the README's first run needs no other key. A key that has neither role is told which.
 */
export function registerDemoCommand(program: Command, deps: ReportCommandDeps): void {
  deps
    .client(
      program
        .command('demo')
        .description(
          `opt in and load realistic demo events (SSPR and MFA) into the tenant; the key needs the role ${DEMO_ROLES.optIn} (a temporary ${DEMO_ROLES.post} key is made for the load when it lacks that one)`,
        ),
    )
    .option('--people <n>', 'number of people', '50')
    .option('--days <n>', 'spread events over this many days', '30')
    .action(async (o: DemoOptions) =>
      deps.call(o, async (api) => {
        const roles = await rolesOf(api);
        if (!roles.includes(DEMO_ROLES.optIn)) {
          throw new CliError(
            `demo needs a key with the role ${DEMO_ROLES.optIn} (to opt the tenant in, and to make a temporary ${DEMO_ROLES.post} key); this key has ${roles.join(', ') || 'no role'}: use the bootstrap key`,
          );
        }
        deps.expectOk(await api('POST', '/v1/tenant/opt-in'));
        const events = demoEvents({
          people: Number(o.people),
          days: Number(o.days),
          now: new Date(),
        });
        const temporary = roles.includes(DEMO_ROLES.post) ? null : await producerKey(api, deps);
        try {
          let accepted = 0;
          for (let i = 0; i < events.length; i += 1000) {
            const r = deps.expectOk(
              await api('POST', '/v1/events', events.slice(i, i + 1000), undefined, temporary?.key),
            ) as { accepted: number };
            accepted += r.accepted;
          }
          return { accepted };
        } finally {
          if (temporary) deps.expectOk(await api('DELETE', `/v1/keys/${temporary.id}`));
        }
      }),
    );
}

async function rolesOf(api: ApiCall): Promise<string[]> {
  const who = await api('GET', '/v1/whoami');
  if (who.status >= 300) throw new CliError(`could not read the key's roles (HTTP ${who.status})`);
  return [...(who.body as { roles: string[] }).roles];
}

async function producerKey(
  api: ApiCall,
  deps: Pick<ReportCommandDeps, 'expectOk'>,
): Promise<{ id: string; key: string }> {
  const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
  return deps.expectOk(
    await api('POST', '/v1/keys', {
      roles: [DEMO_ROLES.post],
      name: 'authtrail demo (temporary)',
      expiresAt,
    }),
  ) as { id: string; key: string };
}
