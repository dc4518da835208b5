import type { EventTypeDefinition, Whose } from './catalog.types';
import { ANNOTATION } from './field.builders';

type Json = Record<string, unknown>;

export type DetailRule =
  | { readonly kind: 'personal'; readonly whose: Whose }
  | { readonly kind: 'fact'; readonly fact: string }
  | { readonly kind: 'reject' }
  /** An array of objects some of whose members are personal. */
  | { readonly kind: 'items'; readonly items: ReadonlyMap<string, Whose> };

/** Precomputed per type so that split and merge never walk a schema per event. */
export interface SplitPlan {
  /** Members of `actor`/`target` that are personal (the rest, `role`, is not). */
  readonly personKeys: ReadonlySet<string>;
  /** Rules for `details` members that are not plain non-personal values. */
  readonly details: ReadonlyMap<string, DetailRule>;
}

function whose(s: Json): Whose {
  return s[ANNOTATION.whose] === 'actor' ? 'actor' : 'target';
}

function hasMarkedDescendant(s: Json): boolean {
  if (s[ANNOTATION.personal] === true || s[ANNOTATION.secret] === true) return true;
  const props = s.properties as Record<string, Json> | undefined;
  if (props !== undefined && Object.values(props).some(hasMarkedDescendant)) return true;
  const items = s.items as Json | undefined;
  return items !== undefined && hasMarkedDescendant(items);
}

export function buildSplitPlan(def: EventTypeDefinition): SplitPlan {
  const root = def.schema as unknown as Json;
  const props = root.properties as Record<string, Json>;
  const personKeys = new Set<string>();
  for (const who of ['actor', 'target']) {
    const p = props[who]?.properties as Record<string, Json> | undefined;
    for (const [key, s] of Object.entries(p ?? {})) {
      if (s[ANNOTATION.personal] === true) personKeys.add(key);
    }
  }
  const details = new Map<string, DetailRule>();
  const detailProps = (props.details?.properties ?? {}) as Record<string, Json>;
  for (const [key, s] of Object.entries(detailProps)) {
    if (s[ANNOTATION.secret] === true) {
      details.set(
        key,
        s[ANNOTATION.secretHandling] === 'fact'
          ? { kind: 'fact', fact: String(s[ANNOTATION.fact]) }
          : { kind: 'reject' },
      );
    } else if (s[ANNOTATION.personal] === true) {
      details.set(key, { kind: 'personal', whose: whose(s) });
    } else if (s.type === 'array' && (s.items as Json).type === 'object') {
      const items = new Map<string, Whose>();
      for (const [sub, ss] of Object.entries(
        ((s.items as Json).properties ?? {}) as Record<string, Json>,
      )) {
        if (
          ss[ANNOTATION.secret] === true ||
          (ss[ANNOTATION.personal] !== true && hasMarkedDescendant(ss))
        ) {
          throw new Error(
            `${def.type}: secret or nested personal data inside /details/${key} is not supported`,
          );
        }
        if (ss[ANNOTATION.personal] === true) items.set(sub, whose(ss));
      }
      if (items.size > 0) details.set(key, { kind: 'items', items });
    } else if (hasMarkedDescendant(s)) {
      // Refuse at start-up rather than store a nested personal field in clear.
      throw new Error(
        `${def.type}: personal or secret data nested in /details/${key} is not supported`,
      );
    }
  }
  return { personKeys, details };
}
