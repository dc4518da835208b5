import { INestApplicationContext } from '@nestjs/common';
import { Projector } from '@authtrail/reporting';

export interface RunningProjector {
  readonly projector: Projector;
  stop(): Promise<void>;
}

/**
 * Starts the app's ClickHouse projector (ReportingModule's: in `authtrail serve` it shares
 * its chdb with the reports). The module closes ClickHouse at shutdown.
 */
export async function startProjector(app: INestApplicationContext): Promise<RunningProjector> {
  const projector = app.get(Projector, { strict: false });
  await projector.start();
  return { projector, stop: () => projector.stop() };
}
