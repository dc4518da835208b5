/** Who asks: the tenant, the API key (never a person) and the key's roles. */
export interface Caller {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly string[];
}

/** Names are shown to `privacy-admin` only (DESIGN.md invariant 10); everyone else sees subject ids. */
export function mayReadNames(caller: Pick<Caller, 'roles'>): boolean {
  return caller.roles.includes('privacy-admin');
}
