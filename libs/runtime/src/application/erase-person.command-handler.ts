import { CommandBus, CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { EraseSubjectCommand, type ErasureResult, type PersonRequest } from '@authtrail/privacy';
import { PersonShownAsQuery } from '@authtrail/reporting';

/** `POST /v1/subjects/erase`: by user principal name, or by the display name a privacy admin sees. */
export class ErasePersonCommand {
  constructor(
    readonly tenantId: string,
    readonly person: PersonRequest,
    readonly actorKeyId: string,
  ) {}
}

/**
 * Erases the person the request names. A display name is resolved like the audit view's
 * filter (the one person shown under it, any case; a name two people share is a 409, so
 * nobody is erased by mistake), then the erasure is the same as by user principal name.
 */
@CommandHandler(ErasePersonCommand)
export class ErasePersonHandler implements ICommandHandler<ErasePersonCommand, ErasureResult> {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async execute({ tenantId, person, actorKeyId }: ErasePersonCommand): Promise<ErasureResult> {
    if ('userPrincipalName' in person) {
      return this.commands.execute(
        new EraseSubjectCommand(tenantId, person.userPrincipalName, actorKeyId),
      );
    }
    const subjectId = await this.queries.execute<PersonShownAsQuery, string | null>(
      new PersonShownAsQuery(tenantId, person.displayName),
    );
    if (subjectId === null) return { subjectId: null, erasedAt: null, events: 0 };
    return this.commands.execute(new EraseSubjectCommand(tenantId, '', actorKeyId, subjectId));
  }
}
