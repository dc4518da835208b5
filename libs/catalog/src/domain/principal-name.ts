/**
 * The form of a user principal name used for lookups: trimmed, Unicode NFC, lower case.
 * `Kim@Contoso.com ` and `kim@contoso.com` are the same person; the composed and the
 * decomposed spelling of an accented name are too.
 */
export function normalisePrincipalName(upn: string): string {
  return upn.trim().normalize('NFC').toLowerCase();
}
