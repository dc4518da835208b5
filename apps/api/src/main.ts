import { loadConfig } from '@authtrail/config';
import { BootstrapService } from '@authtrail/runtime';
import { createApi } from './create-api';

/** Runs the HTTP API alone (production: workers run in apps/worker). */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi({ config });
  await app.get(BootstrapService).ensure();
  await app.listen(config.port, config.host);
}

void main();
