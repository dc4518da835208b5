import { Module } from '@nestjs/common';
import { LedgerModule } from '@authtrail/ledger';
import { SiemForwarderFactory } from './siem-forwarder.factory';

/** The SIEM stream (OCSF over Kafka and/or an NDJSON file): its forwarder's factory. */
@Module({
  imports: [LedgerModule],
  providers: [SiemForwarderFactory],
  exports: [SiemForwarderFactory],
})
export class SiemModule {}
