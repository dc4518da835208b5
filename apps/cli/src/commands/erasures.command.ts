import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { type ErasureAnswer, stillPending } from './erasure-progress';
import { CliError, type ClientOptions } from '../api-client';
import type { ReportCommandDeps } from './report.command';

/**
 * `authtrail erasures list|status|receipt` over `/v1/privacy/erasures` (privacy-admin):
 * the erasures of the tenant, one person's with how far each copy's clean-up has got
 * (`--wait` until nothing is pending, for scripts that erase and then must know), and the
 * signed receipt of a finished one.
 */
export function registerErasuresCommand(program: Command, deps: ReportCommandDeps): void {
  const erasures = program.command('erasures').description('erasures of the tenant');
  deps
    .client(
      erasures.command('list').description('erasures done, pending or deferred, newest first'),
    )
    .action(async (o: ClientOptions) =>
      deps.call(o, async (api) => deps.expectOk(await api('GET', '/v1/privacy/erasures'))),
    );
  deps
    .client(
      erasures
        .command('status')
        .description(
          "one person's erasure and how far each copy's clean-up has got (report tables, SIEM)",
        )
        .argument('<subjectId>'),
    )
    .addOption(
      new Option(
        '--wait <seconds>',
        'wait until no copy is pending; exit 1 if that takes longer',
      ).argParser((v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0 || n > 3600)
          throw new InvalidArgumentError('seconds from 1 to 3600');
        return n;
      }),
    )
    .action(async (id: string, o: ClientOptions & { wait?: number }) =>
      deps.call(o, async (api) => {
        const path = `/v1/privacy/erasures/${encodeURIComponent(id)}`;
        const deadline = Date.now() + (o.wait ?? 0) * 1000;
        for (;;) {
          const view = deps.expectOk(await api('GET', path)) as ErasureAnswer;
          if (o.wait === undefined) return view;
          const pending = stillPending(view);
          if (pending.length === 0) return view;
          if (Date.now() >= deadline)
            throw new CliError(
              `the erasure of ${id} is not complete after ${o.wait} s: ${pending.join(', ')}`,
            );
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );
  deps
    .client(
      erasures
        .command('receipt')
        .description(
          'signed receipt of a finished erasure (check it offline: tools/verify-export --receipt)',
        )
        .argument('<subjectId>'),
    )
    .option('--out <file>', 'write the receipt to this file instead of printing it')
    .action(async (id: string, o: ClientOptions & { out?: string }) =>
      deps.call(o, async (api) => {
        const receipt = deps.expectOk(
          await api('GET', `/v1/privacy/erasures/${encodeURIComponent(id)}/receipt`),
        );
        if (!o.out) return receipt;
        writeFileSync(o.out, `${JSON.stringify(receipt, null, 2)}\n`);
        return `receipt written to ${o.out}`;
      }),
    );
}
