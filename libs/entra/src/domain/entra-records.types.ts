/**
 * The two shapes Microsoft Entra audit records arrive in, as Microsoft publishes them.
 * Everything is optional and `unknown`-tolerant on purpose: records come from outside and
 * the mapper checks each field it uses, naming the one that is missing or wrong.
 *
 * - `DirectoryAudit`: the Microsoft Graph v1.0 `directoryAudit` resource
 *   (`GET /auditLogs/directoryAudits`), also the portal's JSON download.
 * - `AzureMonitorAuditRecord`: one record of the Azure Monitor diagnostic export of the
 *   `AuditLogs` category (Event Hubs, storage): an envelope whose `properties` is a
 *   `directoryAudit`.
 *
 * Field sources: libs/entra/fixtures/README.md.
 */
export interface GraphUserIdentity {
  readonly id?: string | null;
  readonly displayName?: string | null;
  readonly userPrincipalName?: string | null;
  readonly ipAddress?: string | null;
}

export interface GraphAppIdentity {
  readonly appId?: string | null;
  readonly displayName?: string | null;
  readonly servicePrincipalId?: string | null;
  readonly servicePrincipalName?: string | null;
}

export interface ModifiedProperty {
  readonly displayName?: string | null;
  readonly oldValue?: string | null;
  readonly newValue?: string | null;
}

export interface TargetResource {
  readonly id?: string | null;
  readonly displayName?: string | null;
  readonly type?: string | null;
  readonly userPrincipalName?: string | null;
  readonly modifiedProperties?: readonly ModifiedProperty[] | null;
}

export interface KeyValue {
  readonly key?: string | null;
  readonly value?: string | null;
}

export interface DirectoryAudit {
  readonly id?: string;
  readonly category?: string;
  readonly correlationId?: string | null;
  readonly result?: string;
  readonly resultReason?: string | null;
  readonly activityDisplayName?: string;
  readonly activityDateTime?: string;
  readonly loggedByService?: string;
  readonly operationType?: string | null;
  readonly initiatedBy?: {
    readonly user?: GraphUserIdentity | null;
    readonly app?: GraphAppIdentity | null;
  } | null;
  readonly targetResources?: readonly TargetResource[] | null;
  readonly additionalDetails?: readonly KeyValue[] | null;
}

export interface AzureMonitorAuditRecord {
  readonly time?: string;
  readonly resourceId?: string;
  readonly operationName?: string;
  readonly operationVersion?: string;
  readonly category?: string;
  readonly tenantId?: string;
  readonly resultSignature?: string;
  readonly correlationId?: string;
  readonly properties?: DirectoryAudit;
}

/** `loggedByService` of every SSPR activity (Graph `directoryAudit`, seed 002). */
export const SSPR_SERVICE = 'Self-service Password Management';

/** Azure Monitor category of the audit log export (diagnostic settings → AuditLogs). */
export const AUDIT_LOGS_CATEGORY = 'AuditLogs';
