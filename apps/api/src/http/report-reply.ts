import type { FastifyReply } from 'fastify';
import { ReportResult, toCsv } from '@authtrail/reporting';

/** JSON, or CSV (`?format=csv`) with the same rows and a header line. */
export function sendReport(reply: FastifyReply, name: string, result: ReportResult): unknown {
  if (result.format !== 'csv') return result.body;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(result.rows, result.columns);
}
