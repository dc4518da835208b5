import type { Logger } from 'pino';
import { loadConfig } from '@authtrail/config';
import { LOGGER, lifecycleLogger } from '@authtrail/platform';
import { BootstrapService, firstStartNotice } from '@authtrail/runtime';
import { createApi } from './create-api';

/** Runs the HTTP API alone (production: workers run in apps/worker). */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi({ config });
  const outcome = await app.get(BootstrapService).ensure();
  await app.listen(config.port, config.host);
  // A first start of a fresh deployment creates the bootstrap key here too: show it once.
  if (outcome.createdKey) process.stderr.write(firstStartNotice(outcome.createdKey, null));
  lifecycleLogger(app.get<Logger>(LOGGER)).info(
    { url: `http://${config.host}:${config.port}` },
    `authtrail API listening on http://${config.host}:${config.port}`,
  );
}

void main();
