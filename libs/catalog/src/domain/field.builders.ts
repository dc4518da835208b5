import {
  Type,
  type TArray,
  type TBoolean,
  type TInteger,
  type TNever,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
} from '@sinclair/typebox';
import type { Whose } from './catalog.types';

/**
 * Annotation keywords carried by the schemas. They are the only place that says which
 * fields are personal or secret: field specs, split plans, docs and the published JSON
 * Schema are all derived from them.
 */
export const ANNOTATION = {
  personal: 'x-authtrail-personal',
  whose: 'x-authtrail-whose',
  secret: 'x-authtrail-secret',
  secretHandling: 'x-authtrail-secret-handling',
  /** Name of the fact (in `details`) a secret of handling `fact` is reduced to. */
  fact: 'x-authtrail-fact',
  seedName: 'x-authtrail-seed-name',
  /** Error message used when the field fails validation. */
  message: 'x-authtrail-message',
} as const;

export const ANNOTATION_KEYWORDS: readonly string[] = Object.values(ANNOTATION);

export interface FieldOptions {
  /** The field's name in the seed documents; null when the seed has none. */
  readonly seed: string | null;
  readonly description: string;
  /** Personal data: sealed per person, never stored or projected in clear. */
  readonly personal?: boolean;
  /** Whose personal data; seed 000 puts every personal detail on the target. */
  readonly whose?: Whose;
}

/** Upper bounds for free text; generous for real values, small enough to stop abuse. */
export const MAX = {
  name: 256,
  code: 128,
  text: 512,
  phone: 32,
  extension: 16,
  countryCode: 8,
  ip: 45, // longest textual IPv6 (with embedded IPv4)
  token: 1024,
  version: 64,
} as const;

function annotate(o: FieldOptions): Record<string, unknown> {
  const a: Record<string, unknown> = { description: o.description };
  if (o.seed !== null) a[ANNOTATION.seedName] = o.seed;
  if (o.personal === true) {
    a[ANNOTATION.personal] = true;
    a[ANNOTATION.whose] = o.whose ?? 'target';
  }
  return a;
}

export function text(
  o: FieldOptions & { maxLength?: number; minLength?: number; pattern?: string; format?: string },
): TString {
  const { maxLength = MAX.text, minLength = 1, pattern, format } = o;
  return Type.String({
    ...annotate(o),
    minLength,
    maxLength,
    ...(pattern === undefined ? {} : { pattern }),
    ...(format === undefined ? {} : { format }),
  });
}

/** A string enum as one `enum` keyword (one clear error instead of one per literal). */
export function oneOf<T extends string>(values: readonly T[], o: FieldOptions): TUnsafe<T> {
  return Type.Unsafe<T>({ ...annotate(o), type: 'string', enum: [...values] });
}

export function bool(o: FieldOptions): TBoolean {
  return Type.Boolean(annotate(o));
}

export function int(o: FieldOptions & { minimum?: number; maximum?: number }): TInteger {
  return Type.Integer({
    ...annotate(o),
    ...(o.minimum === undefined ? {} : { minimum: o.minimum }),
    ...(o.maximum === undefined ? {} : { maximum: o.maximum }),
  });
}

export function dateTime(o: FieldOptions): TString {
  return Type.String({ ...annotate(o), format: 'date-time', maxLength: 40 });
}

export function uuid(o: FieldOptions): TString {
  // The format pins the length (36); a maxLength would only add a second error.
  return Type.String({ ...annotate(o), format: 'uuid' });
}

export function list<T extends TSchema>(
  items: T,
  o: FieldOptions & { minItems?: number; maxItems: number; uniqueItems?: boolean },
): TArray<T> {
  return Type.Array(items, {
    ...annotate(o),
    maxItems: o.maxItems,
    ...(o.minItems === undefined ? {} : { minItems: o.minItems }),
    ...(o.uniqueItems === true ? { uniqueItems: true } : {}),
  });
}

export function object<P extends TProperties>(properties: P, o: FieldOptions): TObject<P> {
  return Type.Object(properties, { ...annotate(o), additionalProperties: false });
}

/** A secret that is never accepted: any value is an error with `message`. */
export function rejectedSecret(o: FieldOptions & { message: string }): TNever {
  return Type.Never({
    ...annotate(o),
    [ANNOTATION.secret]: true,
    [ANNOTATION.secretHandling]: 'reject',
    [ANNOTATION.message]: o.message,
  });
}

/** A secret accepted as input and reduced to `fact: true`; the value itself is dropped. */
export function factSecret(o: FieldOptions & { fact: string; maxLength: number }): TString {
  return Type.String({
    ...annotate(o),
    minLength: 1,
    maxLength: o.maxLength,
    [ANNOTATION.secret]: true,
    [ANNOTATION.secretHandling]: 'fact',
    [ANNOTATION.fact]: o.fact,
  });
}

/** A phone number, extension or similar contact detail of the target (personal). */
export function contact(seed: string, description: string, maxLength: number): TString {
  return text({ seed, description, maxLength, personal: true, whose: 'target' });
}

/** Dialling country code, e.g. `1` or `+44`: not personal on its own. */
export function countryCode(seed: string, description: string): TString {
  return text({ seed, description, maxLength: MAX.countryCode, pattern: '^\\+?[0-9]{1,4}$' });
}
