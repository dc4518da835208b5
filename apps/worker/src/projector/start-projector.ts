import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EventCatalog } from '@authtrail/catalog';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { LOGGER, Metrics } from '@authtrail/platform';
import { LazyReadModel, Projector, createProjector, readModelOptions } from '@authtrail/reporting';

export interface RunningProjector {
  readonly projector: Projector;
  stop(): Promise<void>;
}

/**
 * Starts the ClickHouse projector of an app. Uses the app's own projector when it has the
 * ReportingModule (the API app of `authtrail serve`, which shares its chdb with the
 * reports); otherwise (the worker app alone) opens the read model itself and closes it
 * on stop.
 */
export async function startProjector(app: INestApplicationContext): Promise<RunningProjector> {
  let projector: Projector;
  let owned: LazyReadModel | null = null;
  try {
    projector = app.get(Projector, { strict: false });
  } catch {
    owned = new LazyReadModel(readModelOptions(app.get<AppConfig>(APP_CONFIG)));
    projector = createProjector(
      app.get<EventStore>(EVENT_STORE),
      owned,
      app.get(EventCatalog),
      app.get<Logger>(LOGGER),
      app.get(Metrics),
    );
  }
  await projector.start();
  return {
    projector,
    stop: async () => {
      await projector.stop();
      await owned?.close();
    },
  };
}
