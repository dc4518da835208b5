import { Module } from '@nestjs/common';
import { ImportEntraRecordsHandler } from '../application/import-entra-records.command-handler';

/** The Entra import use case; it sends IngestModule's command (the runtime imports it). */
@Module({
  providers: [ImportEntraRecordsHandler],
  exports: [ImportEntraRecordsHandler],
})
export class EntraModule {}
