import type { QueryBus } from '@nestjs/cqrs';
import type { PersonRequest } from '@authtrail/privacy';
import { PersonShownAsQuery } from '@authtrail/reporting';

/** A privacy request's person: by user principal name, or already resolved to a subject id (null: nobody). */
export type ResolvedPerson =
  { readonly userPrincipalName: string } | { readonly subjectId: string | null };

/**
 * A display name resolved like the audit view's filter: the one person shown under it
 * (any case), null when nobody is, a 409 when several people are (nobody is erased or
 * exported by mistake). A user principal name is left to the privacy handler.
 */
export async function resolvePerson(
  queries: QueryBus,
  tenantId: string,
  person: PersonRequest,
): Promise<ResolvedPerson> {
  if ('userPrincipalName' in person) return person;
  const subjectId = await queries.execute<PersonShownAsQuery, string | null>(
    new PersonShownAsQuery(tenantId, person.displayName),
  );
  return { subjectId };
}
