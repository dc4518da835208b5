import { Module } from '@nestjs/common';
import { ImportEntraRecordsHandler } from '../application/import-entra-records.command-handler';

/** The Entra import use case; the runtime module provides the ingest command it reuses. */
@Module({
  providers: [ImportEntraRecordsHandler],
  exports: [ImportEntraRecordsHandler],
})
export class EntraModule {}
