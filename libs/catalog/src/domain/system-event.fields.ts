import { Type, type TUnsafe } from '@sinclair/typebox';
import { MAX, dateTime, int, text } from './field.builders';

/** Field builders shared by the system event types: ids, counts and times, nothing personal. */

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';

export const subjectId = (
  description = 'Random subject id of the person (never derived from their name).',
) => text({ seed: null, description, maxLength: MAX.code, pattern: ID_PATTERN });

/** Who asked: an API key id, or `bootstrap`, `system`, `system:recovery` for authtrail's own work. */
export const actorKeyId = () =>
  text({
    seed: null,
    description:
      'Id of the API key that asked for it; `bootstrap`, `system` or `system:recovery` when authtrail did it on its own.',
    maxLength: MAX.code,
    pattern: ID_PATTERN,
  });

export const keyId = (description: string) =>
  text({ seed: null, description, maxLength: MAX.code, pattern: ID_PATTERN });

export const tenantId = () =>
  text({
    seed: null,
    description: 'The tenant.',
    maxLength: 64,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
  });

export const count = (description: string) => int({ seed: null, description, minimum: 0 });

export const at = (description: string) => dateTime({ seed: null, description });

export const sha256Hex = (description: string) =>
  text({ seed: null, description, minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$' });

/** A string or null (JSON Schema `type: [string, null]`), with the string's own constraints. */
export function nullable(
  description: string,
  string: { maxLength: number; pattern?: string; format?: string },
): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({
    type: ['string', 'null'],
    description,
    maxLength: string.maxLength,
    ...(string.pattern === undefined ? {} : { pattern: string.pattern }),
    ...(string.format === undefined ? {} : { format: string.format }),
  });
}

export const nullableSubjectId = (description: string) =>
  nullable(description, { maxLength: MAX.code, pattern: ID_PATTERN });
