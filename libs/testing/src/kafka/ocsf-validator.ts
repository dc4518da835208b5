import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Validates records against the OCSF framework's own definition files
 * (`../shared/ocsf-schema`, see its README.authtrail.md): a class is resolved through
 * `extends` to `base_event`, with `$include`d profiles, the dictionary's types and enums
 * and the object definitions; then every record is checked for required attributes,
 * unknown attributes, types (with the dictionary's regexes, ranges and lengths), enum
 * values, enum captions of siblings, `at_least_one`/`just_one` constraints and the
 * classification arithmetic (`type_uid = class_uid * 100 + activity_id`).
 */

type Json = Record<string, unknown>;

export interface OcsfIssue {
  readonly path: string;
  readonly message: string;
}

interface AttributeDef {
  readonly name: string;
  readonly type: string;
  readonly isArray: boolean;
  readonly requirement: 'required' | 'recommended' | 'optional';
  readonly enumValues: ReadonlyMap<string, string> | null;
  readonly sibling: string | null;
  /** Set when the attribute comes from a profile: required only when that profile is applied. */
  readonly profile: string | null;
}

interface ResolvedShape {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, AttributeDef>;
  readonly constraints: {
    readonly atLeastOne: readonly string[];
    readonly justOne: readonly string[];
  };
}

export interface ResolvedClass extends ResolvedShape {
  readonly uid: number;
  readonly caption: string;
  readonly categoryUid: number;
  readonly categoryCaption: string;
}

// The schema server generates these enums from the class and category files; the
// validator checks them by arithmetic and captions instead.
const GENERATED_ENUMS = new Set(['class_uid', 'category_uid', 'type_uid']);

const BASE_TYPES = new Set([
  'string_t',
  'integer_t',
  'long_t',
  'float_t',
  'boolean_t',
  'json_t',
  'object',
]);
const INT32 = 2 ** 31;

/** Default location: the shared folder beside the repository. */
export function defaultOcsfSchemaDir(): string {
  return resolve(__dirname, '../../../../../shared/ocsf-schema');
}

export class OcsfSchema {
  readonly version: string;
  private readonly dictionary: Json;
  private readonly types: Json;
  private readonly categories: Json;
  private readonly eventFiles = new Map<string, Json>();
  private readonly objectFiles = new Map<string, Json>();
  private readonly classesByUid = new Map<number, ResolvedClass>();
  private readonly objects = new Map<string, ResolvedShape>();

  private constructor(private readonly dir: string) {
    this.dictionary = this.json('dictionary.json');
    this.types = ((this.dictionary.types as Json).attributes ?? {}) as Json;
    this.categories = (this.json('categories.json').attributes ?? {}) as Json;
    this.version = String(this.json('version.json').version);
    for (const file of walk(join(dir, 'events'))) {
      const def = JSON.parse(readFileSync(file, 'utf8')) as Json;
      this.eventFiles.set(String(def.name), def);
    }
    for (const file of readdirSync(join(dir, 'objects'))) {
      const def = this.json(join('objects', file));
      this.objectFiles.set(String(def.name), def);
    }
    for (const name of this.eventFiles.keys()) {
      const cls = this.resolveClass(name);
      if (cls !== null) this.classesByUid.set(cls.uid, cls);
    }
  }

  static load(dir: string = defaultOcsfSchemaDir()): OcsfSchema {
    if (!existsSync(join(dir, 'dictionary.json'))) {
      throw new Error(`OCSF schema definitions not found in ${dir}`);
    }
    return new OcsfSchema(dir);
  }

  /** The class with this `class_uid`, resolved (base_event is uid 0). */
  classByUid(uid: number): ResolvedClass | undefined {
    return this.classesByUid.get(uid);
  }

  /** Every problem of one record; empty when it is valid OCSF. */
  validate(record: unknown): OcsfIssue[] {
    const issues: OcsfIssue[] = [];
    if (!isObject(record)) return [{ path: '', message: 'a record must be a JSON object' }];
    const classUid = record.class_uid;
    if (typeof classUid !== 'number')
      return [{ path: '/class_uid', message: 'is required and must be an integer' }];
    const cls = this.classesByUid.get(classUid);
    if (cls === undefined)
      return [{ path: '/class_uid', message: `no OCSF class has uid ${classUid}` }];
    if (record.category_uid !== cls.categoryUid) {
      issues.push({
        path: '/category_uid',
        message: `must be ${cls.categoryUid} for class ${cls.name}`,
      });
    }
    if (
      typeof record.activity_id === 'number' &&
      record.type_uid !== cls.uid * 100 + record.activity_id
    ) {
      issues.push({
        path: '/type_uid',
        message: `must be class_uid * 100 + activity_id = ${cls.uid * 100 + record.activity_id}`,
      });
    }
    if (record.class_name !== undefined && record.class_name !== cls.caption) {
      issues.push({ path: '/class_name', message: `must be "${cls.caption}"` });
    }
    if (record.category_name !== undefined && record.category_name !== cls.categoryCaption) {
      issues.push({ path: '/category_name', message: `must be "${cls.categoryCaption}"` });
    }
    const metadata = isObject(record.metadata) ? record.metadata : {};
    const applied = new Set(Array.isArray(metadata.profiles) ? metadata.profiles.map(String) : []);
    this.validateShape(record, cls, '', applied, issues, 0);
    return issues;
  }

  private validateShape(
    value: Json,
    shape: ResolvedShape,
    path: string,
    applied: ReadonlySet<string>,
    issues: OcsfIssue[],
    depth: number,
  ): void {
    if (depth > 16) return;
    for (const [name, def] of shape.attributes) {
      if (def.requirement !== 'required' || name in value) continue;
      if (def.profile !== null && !applied.has(def.profile)) continue;
      issues.push({ path: `${path}/${name}`, message: `is required by ${shape.name}` });
    }
    for (const [name, v] of Object.entries(value)) {
      const def = shape.attributes.get(name) ?? this.datetimeSibling(shape, name, applied);
      if (def === undefined) {
        issues.push({ path: `${path}/${name}`, message: `is not an attribute of ${shape.name}` });
        continue;
      }
      if (v === null) {
        issues.push({ path: `${path}/${name}`, message: 'must not be null (omit it instead)' });
        continue;
      }
      if (def.isArray) {
        if (!Array.isArray(v))
          issues.push({ path: `${path}/${name}`, message: `must be an array of ${def.type}` });
        else
          v.forEach((item, i) =>
            this.validateValue(item, def, `${path}/${name}/${i}`, applied, issues, depth),
          );
      } else {
        this.validateValue(v, def, `${path}/${name}`, applied, issues, depth);
      }
      if (
        def.enumValues !== null &&
        !GENERATED_ENUMS.has(name) &&
        def.sibling !== null &&
        typeof value[def.sibling] === 'string'
      ) {
        const caption = def.enumValues.get(text(v));
        if (caption !== undefined && text(v) !== '99' && value[def.sibling] !== caption) {
          issues.push({
            path: `${path}/${def.sibling}`,
            message: `must be "${caption}", the caption of ${name} ${text(v)}`,
          });
        }
      }
    }
    const present = (n: string): boolean => value[n] !== undefined;
    const { atLeastOne, justOne } = shape.constraints;
    if (atLeastOne.length > 0 && !atLeastOne.some(present)) {
      issues.push({
        path: path || '/',
        message: `needs at least one of ${atLeastOne.join(', ')} (${shape.name})`,
      });
    }
    if (justOne.length > 0 && justOne.filter(present).length !== 1) {
      issues.push({
        path: path || '/',
        message: `needs exactly one of ${justOne.join(', ')} (${shape.name})`,
      });
    }
  }

  private validateValue(
    v: unknown,
    def: AttributeDef,
    path: string,
    applied: ReadonlySet<string>,
    issues: OcsfIssue[],
    depth: number,
  ): void {
    // `object` is the generic object (unmapped data): any JSON object goes.
    if (def.type !== 'object' && this.objectFiles.has(def.type)) {
      if (!isObject(v)) {
        issues.push({ path, message: `must be a ${def.type} object` });
        return;
      }
      this.validateShape(v, this.resolveObject(def.type), path, applied, issues, depth + 1);
      return;
    }
    const problem = this.checkType(v, def.type);
    if (problem !== null) {
      issues.push({ path, message: problem });
      return;
    }
    if (def.enumValues !== null && !GENERATED_ENUMS.has(def.name) && !def.enumValues.has(text(v))) {
      issues.push({
        path,
        message: `${JSON.stringify(v)} is not one of the values of ${def.name} (${[...def.enumValues.keys()].join(', ')})`,
      });
    }
  }

  /** Null when `v` is of the dictionary type `type` (derived types check their base, regex, range, length). */
  private checkType(v: unknown, type: string): string | null {
    switch (type) {
      case 'string_t':
        return typeof v === 'string' ? null : 'must be a string';
      case 'integer_t':
        return Number.isInteger(v) && Math.abs(v as number) < INT32
          ? null
          : 'must be a 32-bit integer';
      case 'long_t':
        return Number.isSafeInteger(v) ? null : 'must be an integer';
      case 'float_t':
        return typeof v === 'number' && Number.isFinite(v) ? null : 'must be a number';
      case 'boolean_t':
        return typeof v === 'boolean' ? null : 'must be true or false';
      case 'json_t':
        return null;
      case 'object':
        return isObject(v) ? null : 'must be an object';
    }
    const t = this.types[type] as Json | undefined;
    if (t === undefined) return `has unknown type ${type}`;
    const base = typeof t.type === 'string' ? t.type : type;
    if (!BASE_TYPES.has(base)) return `has unresolvable type ${type}`;
    const baseProblem = this.checkType(v, base);
    if (baseProblem !== null) return `${baseProblem} (${type})`;
    if (typeof t.regex === 'string' && typeof v === 'string' && !new RegExp(t.regex).test(v)) {
      return `does not match the format of ${type}`;
    }
    if (typeof t.max_len === 'number' && typeof v === 'string' && v.length > t.max_len) {
      return `is longer than ${t.max_len} (${type})`;
    }
    if (
      Array.isArray(t.range) &&
      typeof v === 'number' &&
      (v < Number(t.range[0]) || v > Number(t.range[1]))
    ) {
      return `is outside ${String(t.range[0])}..${String(t.range[1])} (${type})`;
    }
    if (Array.isArray(t.values) && !t.values.includes(v))
      return `must be one of ${JSON.stringify(t.values)}`;
    return null;
  }

  /** The datetime profile adds `<attr>_dt` (datetime_t) beside every timestamp_t attribute. */
  private datetimeSibling(
    shape: ResolvedShape,
    name: string,
    applied: ReadonlySet<string>,
  ): AttributeDef | undefined {
    if (!applied.has('datetime') || !name.endsWith('_dt')) return undefined;
    const of = shape.attributes.get(name.slice(0, -3));
    if (of === undefined || of.type !== 'timestamp_t') return undefined;
    return {
      ...of,
      name,
      type: 'datetime_t',
      requirement: 'optional',
      enumValues: null,
      sibling: null,
    };
  }

  private resolveClass(name: string): ResolvedClass | null {
    const chain = this.chain(name, this.eventFiles);
    const leaf = chain[chain.length - 1];
    const categoryName = chain
      .map((d) => d.category)
      .filter((c): c is string => typeof c === 'string')
      .pop();
    const category =
      categoryName === undefined || categoryName === 'other'
        ? undefined
        : (this.categories[categoryName] as Json | undefined);
    const categoryUid = category === undefined ? 0 : Number(category.uid);
    if (leaf.name !== 'base_event' && typeof leaf.uid !== 'number') return null; // abstract parent (iam, network…)
    const uid = leaf.name === 'base_event' ? 0 : categoryUid * 1000 + Number(leaf.uid);
    return {
      ...this.merge(name, chain),
      uid,
      caption: String(leaf.caption),
      categoryUid,
      categoryCaption: category === undefined ? 'Uncategorized' : String(category.caption),
    };
  }

  private resolveObject(name: string): ResolvedShape {
    let shape = this.objects.get(name);
    if (shape === undefined) {
      shape = this.merge(name, this.chain(name, this.objectFiles));
      this.objects.set(name, shape);
    }
    return shape;
  }

  /** Definitions from the root ancestor to `name` (following `extends`). */
  private chain(name: string, files: ReadonlyMap<string, Json>): Json[] {
    const out: Json[] = [];
    for (let n: string | undefined = name; n !== undefined;) {
      const def = files.get(n);
      if (def === undefined) throw new Error(`OCSF definition ${n} not found`);
      out.unshift(def);
      n = typeof def.extends === 'string' ? def.extends : undefined;
      if (out.length > 20) throw new Error(`OCSF extends cycle at ${name}`);
    }
    return out;
  }

  /** Ancestors first, then each definition's includes, then its own attributes, each overriding field by field. */
  private merge(name: string, chain: readonly Json[]): ResolvedShape {
    const raw = new Map<string, { def: Json; profile: string | null }>();
    let atLeastOne: string[] = [];
    let justOne: string[] = [];
    for (const def of chain) {
      const attrs = (def.attributes ?? {}) as Json;
      for (const inc of (attrs.$include as string[] | undefined) ?? []) {
        const included = this.json(inc);
        const profile = included.meta === 'profile' ? String(included.name) : null;
        for (const [k, v] of Object.entries((included.attributes ?? {}) as Json)) {
          if (k === '$include' || !isObject(v)) continue;
          const prior = raw.get(k);
          raw.set(k, { def: { ...(prior?.def ?? {}), ...v }, profile: prior?.profile ?? profile });
        }
      }
      for (const [k, v] of Object.entries(attrs)) {
        if (k === '$include' || !isObject(v)) continue;
        const prior = raw.get(k);
        // `"profile": null` in a class takes an attribute out of its profile (always available).
        const profile = 'profile' in v ? (v.profile as string | null) : (prior?.profile ?? null);
        raw.set(k, { def: { ...(prior?.def ?? {}), ...v }, profile });
      }
      const c = (def.constraints ?? {}) as Json;
      if (Array.isArray(c.at_least_one)) atLeastOne = c.at_least_one.map(String);
      if (Array.isArray(c.just_one)) justOne = c.just_one.map(String);
    }
    const dict = this.dictionary.attributes as Json;
    const attributes = new Map<string, AttributeDef>();
    for (const [k, { def, profile }] of raw) {
      const d = (dict[k] ?? {}) as Json;
      const enumValues = new Map<string, string>();
      for (const source of [d.enum, def.enum]) {
        if (!isObject(source)) continue;
        for (const [value, meta] of Object.entries(source))
          enumValues.set(value, text((meta as Json).caption ?? value));
      }
      attributes.set(k, {
        name: k,
        type: text(def.type ?? d.type ?? 'string_t'),
        isArray: Boolean(def.is_array ?? d.is_array ?? false),
        requirement: (def.requirement ?? 'optional') as AttributeDef['requirement'],
        enumValues: enumValues.size > 0 ? enumValues : null,
        sibling: typeof d.sibling === 'string' ? d.sibling : null,
        profile,
      });
    }
    return { name, attributes, constraints: { atLeastOne, justOne } };
  }

  private json(relative: string): Json {
    return JSON.parse(readFileSync(join(this.dir, relative), 'utf8')) as Json;
  }
}

/** A scalar as the schema files key it (enum values are object keys). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (entry.endsWith('.json')) out.push(p);
  }
  return out;
}
