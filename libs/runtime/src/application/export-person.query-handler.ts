import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ExportSubjectQuery, type PersonRequest, type SubjectExport } from '@authtrail/privacy';
import { resolvePerson } from './person-subject';

/** `POST /v1/subjects/export`: by user principal name, or by the display name a privacy admin sees. */
export class ExportPersonQuery {
  constructor(
    readonly tenantId: string,
    readonly person: PersonRequest,
    readonly actorKeyId: string,
  ) {}
}

@QueryHandler(ExportPersonQuery)
export class ExportPersonHandler implements IQueryHandler<ExportPersonQuery, SubjectExport> {
  constructor(private readonly queries: QueryBus) {}

  async execute({ tenantId, person, actorKeyId }: ExportPersonQuery): Promise<SubjectExport> {
    const resolved = await resolvePerson(this.queries, tenantId, person);
    return this.queries.execute(
      'userPrincipalName' in resolved
        ? new ExportSubjectQuery(tenantId, resolved.userPrincipalName, actorKeyId)
        : // Nobody shown so: the export of nobody (an empty export, recorded like one by name).
          new ExportSubjectQuery(tenantId, '', actorKeyId, resolved.subjectId ?? undefined),
    );
  }
}
