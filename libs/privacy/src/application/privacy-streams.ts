/** `t-{tenant}-privacy`: every privacy request of a tenant (erasure requested, exported). */
export const privacyStream = (tenantId: string): string => `t-${tenantId}-privacy`;
