import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ReportsService } from './reports.service';

/**
 * The subject id of the one person a privacy admin sees under this display name (resolved
 * like a user principal name, for erasure and export by the name on screen): null when
 * nobody has it, `REPORT.DISPLAY_NAME_AMBIGUOUS` (409) when several people do.
 */
export class PersonShownAsQuery {
  constructor(
    readonly tenantId: string,
    readonly displayName: string,
    /** The request field named in a 409. */
    readonly parameter = '/displayName',
  ) {}
}

@QueryHandler(PersonShownAsQuery)
export class PersonShownAsHandler implements IQueryHandler<PersonShownAsQuery, string | null> {
  constructor(private readonly reports: ReportsService) {}

  execute({ tenantId, displayName, parameter }: PersonShownAsQuery): Promise<string | null> {
    return this.reports.personShownAs(tenantId, parameter, displayName);
  }
}
