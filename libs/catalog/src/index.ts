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
export { EventCatalog, SCHEMA_ANNOTATIONS, type ValidateOptions } from './domain/event-catalog';
export { UnknownEventTypeError, UnsupportedSchemaVersionError } from './domain/catalog.errors';
export {
  RETENTION_DAYS,
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
export { API_KEY_ROLES } from './domain/service.event-types';
export { PRIVACY_EVENT } from './domain/privacy.event-types';
export * as catalogExamples from './testing/examples';
export {
  exampleEvent,
  exampleEvents,
  exampleTypes,
  patchedExample,
  type ExampleOverrides,
  type ExamplePatch,
} from './testing/examples';
