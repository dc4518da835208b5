/**
 * The one normal form of a user principal name for the name index: trimmed, Unicode NFC,
 * lower case. `Kim@Contoso.com ` and `kim@contoso.com` are the same person.
 */
export function normaliseUserPrincipalName(userPrincipalName: string): string {
  // NFC again after lower-casing: a few characters (e.g. U+0130) lower-case to a sequence
  // that is not in NFC.
  return userPrincipalName.trim().normalize('NFC').toLowerCase().normalize('NFC');
}
