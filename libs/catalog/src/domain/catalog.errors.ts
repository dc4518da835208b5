import { AppError } from '@authtrail/platform';

/** A stored or internal event names a type the catalog does not know. */
export class UnknownEventTypeError extends AppError {
  constructor(type: string) {
    super('CATALOG.UNKNOWN_TYPE', 'internal', `unknown event type "${type.slice(0, 100)}"`);
  }
}

/** A stored event claims a schema version the catalog cannot upcast from. */
export class UnsupportedSchemaVersionError extends AppError {
  constructor(type: string, version: number, current: number) {
    super(
      'CATALOG.UNSUPPORTED_SCHEMA_VERSION',
      'internal',
      `${type}: cannot upcast from schema version ${version} (current ${current})`,
    );
  }
}
