import { CommandBus, CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { EraseSubjectCommand, type ErasureResult, type PersonRequest } from '@authtrail/privacy';
import { resolvePerson } from './person-subject';

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
    const resolved = await resolvePerson(this.queries, tenantId, person);
    if ('userPrincipalName' in resolved) {
      return this.commands.execute(
        new EraseSubjectCommand(tenantId, resolved.userPrincipalName, actorKeyId),
      );
    }
    if (resolved.subjectId === null) return { subjectId: null, erasedAt: null, events: 0 };
    return this.commands.execute(
      new EraseSubjectCommand(tenantId, '', actorKeyId, resolved.subjectId),
    );
  }
}
