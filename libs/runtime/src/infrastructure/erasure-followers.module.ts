import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore } from '@authtrail/event-store';
import { ERASURE_FOLLOWERS, ErasureFollowers } from '@authtrail/privacy';
import { PROJECTOR_CHECKPOINTS, PROJECTOR_WORKER, ReportingModule } from '@authtrail/reporting';
import { FORWARDER_WORKER, siemForwardingOn } from '@authtrail/siem';

/**
 * The followers' checkpoints an erasure's progress is read from (`GET
 * /v1/privacy/erasures`): the projector's, kept beside the read model, and the SIEM
 * forwarder's, in the checkpoint store. Global, so the privacy context's query handlers
 * see it; an app without it (the worker: it serves no API) lists erasures without `surfaces`.
 */
@Global()
@Module({
  imports: [ReportingModule],
  providers: [
    {
      provide: ERASURE_FOLLOWERS,
      useFactory: (
        config: AppConfig,
        projector: CheckpointStore,
        checkpoints: CheckpointStore,
      ): ErasureFollowers => ({
        readModel: () => projector.load(PROJECTOR_WORKER),
        siem: async () => (siemForwardingOn(config) ? checkpoints.load(FORWARDER_WORKER) : 'off'),
      }),
      inject: [APP_CONFIG, PROJECTOR_CHECKPOINTS, CHECKPOINT_STORE],
    },
  ],
  exports: [ERASURE_FOLLOWERS],
})
export class ErasureFollowersModule {}
