export type {
  Category,
  CatalogIssue,
  EventTypeDefinition,
  FieldSpec,
  Person,
  PersonalInput,
  Presence,
  ProducerEvent,
  SecretHandling,
  SplitEvent,
  Upcaster,
  ValidationOutcome,
  Whose,
} from './domain/catalog.types';
export { CATEGORIES } from './domain/catalog.types';
export {
  EventCatalog,
  SCHEMA_ANNOTATIONS,
  type StoredSystemEvent,
  type ValidateOptions,
} from './domain/event-catalog';
export {
  defineSystemEvent,
  isSystemEventType,
  type SystemEventAudit,
  type SystemEventData,
  type SystemEventSpec,
  type SystemEventType,
} from './domain/system-event.builder';
export { SYSTEM_EVENT_TYPES } from './domain/system-events';
export { ACCESS_EVENT, ACCESS_EVENTS } from './domain/access.event-types';
export { LEDGER_EVENT, LEDGER_EVENTS } from './domain/ledger.event-types';
export { UnknownEventTypeError, UnsupportedSchemaVersionError } from './domain/catalog.errors';
export {
  PRUNED_CATEGORIES,
  RETENTION_DAYS,
  configuredRetentionDays,
  isPastRetention,
  retentionCutoff,
  retentionDays,
} from './domain/retention';
export { normalisePrincipalName } from './domain/principal-name';
export { renderCatalogMarkdown } from './domain/catalog-markdown';
export {
  FUZZY_POLICY_VIOLATION,
  MAX_POLICY_CHANGES,
  ON_PREMISES_AGENTS,
  SSPR_POLICY_CHANGES_ACTIVITY,
  SSPR_METHODS,
  type SsprMethod,
} from './domain/sspr.event-types';
export { MFA_AUTHENTICATION_METHODS } from './domain/mfa.event-types';
export { API_KEY_ROLES, TENANT_EVENT, TENANT_EVENTS } from './domain/tenant.event-types';
export { PRIVACY_EVENT, PRIVACY_EVENTS } from './domain/privacy.event-types';
export * as catalogExamples from './testing/examples';
export {
  exampleEvent,
  exampleEvents,
  exampleTypes,
  patchedExample,
  type ExampleOverrides,
  type ExamplePatch,
} from './testing/examples';
export * from './domain/suspicious-signals';
export {
  IDENTITY_FIELDS,
  identityDigestInput,
  identityOf,
  type Identity,
  type IdentityField,
} from './domain/identity-fields';
