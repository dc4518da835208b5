import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore } from '@authtrail/event-store';
import { ERASURE_FOLLOWERS, ErasureFollowers } from '@authtrail/privacy';
import {
  PROJECTOR_CHECKPOINTS,
  PROJECTOR_WORKER,
  REPORT_READER,
  ReportReader,
  ReportingModule,
  sealedAmong,
} from '@authtrail/reporting';
import { FORWARDER_WORKER, siemForwardingOn } from '@authtrail/siem';

/**
 * The followers' checkpoints an erasure's progress is read from (`GET
 * /v1/privacy/erasures`): the projector's, kept beside the read model, and the SIEM
 * forwarder's, in the checkpoint store; and whether the read model still holds an erased
 * person's ciphertext rows. Whether a SIEM runs is this app's configuration: API and
 * worker replicas are configured alike (docs/scale-out.md). Global, so the privacy context's query handlers
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
        reports: ReportReader,
      ): ErasureFollowers => ({
        readModel: () => projector.load(PROJECTOR_WORKER),
        ciphertextLeft: (tenantId, subjectIds) =>
          reports.run(sealedAmong, { tenantId, subjectIds }),
        siem: async () => (siemForwardingOn(config) ? checkpoints.load(FORWARDER_WORKER) : 'off'),
      }),
      inject: [APP_CONFIG, PROJECTOR_CHECKPOINTS, CHECKPOINT_STORE, REPORT_READER],
    },
  ],
  exports: [ERASURE_FOLLOWERS],
})
export class ErasureFollowersModule {}
