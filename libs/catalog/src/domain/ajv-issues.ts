import type { ErrorObject } from 'ajv';
import type { CatalogIssue } from './catalog.types';
import { ANNOTATION } from './field.builders';
import { escapeToken } from './json-pointer';

const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  uuid: 'must be a UUID (8-4-4-4-12 hex digits)',
  'date-time': 'must be an ISO-8601 date-time with a time zone (Z or ±hh:mm)',
};

function messageOf(e: ErrorObject): string | null {
  const parent: Record<string, unknown> | undefined = e.parentSchema;
  const custom = parent?.[ANNOTATION.message];
  switch (e.keyword) {
    case 'if':
      return null; // the failing branch reports its own, more precise error
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field of this event type';
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return `must be one of: ${allowed.map(String).join(', ')}`;
    }
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'format':
      return (
        FORMAT_MESSAGES[(e.params as { format: string }).format] ??
        e.message ??
        'has a wrong format'
      );
    case 'not':
      return typeof custom === 'string' ? custom : 'is not allowed';
    default:
      return typeof custom === 'string' ? custom : (e.message ?? 'is invalid');
  }
}

function pathOf(e: ErrorObject): string {
  if (e.keyword === 'required') {
    return `${e.instancePath}/${escapeToken((e.params as { missingProperty: string }).missingProperty)}`;
  }
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath}/${escapeToken((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return e.instancePath;
}

/** Ajv errors as catalog issues: a JSON pointer to the offending member and a plain message. */
export function toIssues(errors: readonly ErrorObject[] | null | undefined): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const message = messageOf(e);
    if (message === null) continue;
    const path = pathOf(e);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message });
  }
  return issues;
}
