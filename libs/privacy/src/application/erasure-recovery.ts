import { EventStore, decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { KeyVault } from '@authtrail/key-vault';
import { PRIVACY_EVENT, pendingErasures } from '../domain/erasure';
import { EraseSubjectHandler } from './erase-subject.command-handler';
import { privacyStream } from './privacy-streams';
import { runReleasedErasures } from './release-legal-hold.command-handler';

/**
 * Finishes erasures a crash cut off (requested, not recorded as done), and runs deferred
 * erasures whose holds were released before a crash let them run. Run at start.
 */
export class ErasureRecovery {
  constructor(
    private readonly store: EventStore,
    private readonly vault: KeyVault,
    private readonly eraser: EraseSubjectHandler,
  ) {}

  async run(): Promise<number> {
    let finished = 0;
    for (const { tenantId } of await this.vault.listTenantKeys()) {
      const requests = (await this.store.readStream(privacyStream(tenantId)))
        .map((r) => decodeEnvelope(r.data))
        .filter((e) => e.type === PRIVACY_EVENT.erasureRequested)
        .map((e) => ({ subjectId: e.data.subjectId as string, requestId: e.eventId }));
      const done = new Set<string>();
      for (const r of requests) {
        if ((await this.store.streamRevision(subjectStream(tenantId, r.subjectId))) !== null)
          done.add(r.subjectId);
      }
      for (const p of pendingErasures(requests, (s) => done.has(s))) {
        await this.eraser.finish(tenantId, p.subjectId, p.requestId, 'system:recovery');
        finished++;
      }
      finished += (await runReleasedErasures(this.store, this.eraser, tenantId)).length;
    }
    return finished;
  }
}
