import type { TSchema } from '@sinclair/typebox';

/** Retention and stream category of an event type. */
export type Category = 'sspr' | 'mfa' | 'privacy' | 'tenant' | 'access' | 'ledger';

export const CATEGORIES: readonly Category[] = [
  'sspr',
  'mfa',
  'privacy',
  'tenant',
  'access',
  'ledger',
];

/** Who a personal field belongs to. */
export type Whose = 'actor' | 'target';

/** How a secret field is handled: reduced to a fact (`pinChanged: true`) or rejected. */
export type SecretHandling = 'fact' | 'reject';

/** Presence of a person (actor or target) in an event type. */
export type Presence = 'required' | 'optional' | 'none';

/**
 * One field of a producer event, as published in the catalog. `path` is a JSON pointer
 * in the producer event; `*` stands for any index of an array.
 */
export interface FieldSpec {
  readonly path: string;
  /** The field's name in the seed documents, or null when the seed has none. */
  readonly seedName: string | null;
  /** Readable type, e.g. `string`, `string (date-time)`, `enum: Standard | PIN`, `array<object>`. */
  readonly type: string;
  readonly required: boolean;
  readonly personal: boolean;
  readonly whose: Whose | null;
  readonly secret: boolean;
  readonly secretHandling?: SecretHandling;
  readonly description: string;
}

/** A stored view at schema version n → the view at version n + 1. Pure. */
export type Upcaster = (view: Record<string, unknown>) => Record<string, unknown>;

export interface EventTypeDefinition {
  readonly type: string;
  readonly category: Category;
  /** Current schema version; stored events of older versions are upcast to it. */
  readonly schemaVersion: number;
  readonly seedName: string;
  readonly description: string;
  /** False for the service's own events (privacy, tenant, access, ledger). */
  readonly producerPostable: boolean;
  readonly actor: Presence;
  readonly target: Presence;
  readonly statuses: readonly string[];
  /** Allowed `result.reason` values, `'free-text'` for any string, null when no reason is allowed. */
  readonly reasons: readonly string[] | 'free-text' | null;
  /** The statuses on which `result.reason` may be given (empty when `reasons` is null). */
  readonly reasonStatuses: readonly string[];
  readonly retentionDays: number;
  readonly fields: readonly FieldSpec[];
  /** TypeBox schema of the producer event (the input shape, before secret handling). */
  readonly schema: TSchema;
  /** Upcasters keyed by the version they upgrade from (v → v + 1). */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** Why each older version changed, keyed by the version it upgrades from. */
  readonly versionNotes: Readonly<Record<number, string>>;
}

/** A person as producers name them. */
export interface Person {
  userPrincipalName: string;
  displayName?: string;
  role?: string;
}

export interface ProducerEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  correlationId?: string;
  actor?: Person;
  target?: Person;
  result: { status: string; reason?: string };
  details?: Record<string, unknown>;
}

export interface CatalogIssue {
  /** JSON pointer within the event. */
  path: string;
  message: string;
}

export type ValidationOutcome =
  | { ok: true; event: ProducerEvent; definition: EventTypeDefinition }
  | { ok: false; issues: CatalogIssue[] };

/** Non-personal part stored in clear, and each person's personal fields, to be sealed per person. */
export interface SplitEvent {
  /**
   * Everything non-personal: `result`, non-personal `details` (with facts such as
   * `pinChanged`), `actorRole`, `targetRole`, `correlationId`. Never `eventId`, `type`
   * or `occurredAt`: those live in the stored envelope.
   */
  data: Record<string, unknown>;
  /**
   * Each person's personal fields keyed by JSON pointer in the event, e.g.
   * `{'/target/userPrincipalName': 'kim@contoso.com', '/details/phoneNumber': '…'}`.
   */
  personal: { actor?: Record<string, unknown>; target?: Record<string, unknown> };
}

/** Personal fields handed back to `merge`: null = that person is erased (fields unavailable). */
export interface PersonalInput {
  actor?: Record<string, unknown> | null;
  target?: Record<string, unknown> | null;
}
