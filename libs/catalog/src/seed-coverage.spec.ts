import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalog } from './domain/event-catalog';
import { SSPR_POLICY_CHANGES_ACTIVITY } from './domain/sspr.event-types';
import type { EventTypeDefinition } from './domain/catalog.types';

// Verbatim copies of shared/seeds/000_*.txt and 002_*.txt, so the repo's tests do not
// depend on files outside it.
const FIXTURES = join(__dirname, '..', 'fixtures');
const seed000 = readFileSync(join(FIXTURES, 'seed-000-mfa-user-data.txt'), 'utf8');
const seed002 = readFileSync(join(FIXTURES, 'seed-002-sspr-reporting.txt'), 'utf8');

const catalog = EventCatalog.default();

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** "One-Way" ~ "OneWay", "OTP + PIN" ~ "OTPAndPIN", "Microsoft Entra Connect" ~ "EntraConnect". */
const token = (s: string): string =>
  s
    .replace(/^Microsoft /, '')
    .replace(/\+/g, 'and')
    .replace(/[\s-]/g, '')
    .toLowerCase();

interface SeedField {
  readonly name: string;
  readonly values: readonly string[];
}

/** The families of "MFA information collected" and their bullet lists, as the seed writes them. */
function mfaFamilies(): Map<string, SeedField[]> {
  const section = seed000.split('## MFA information collected')[1].split('\n## ')[0];
  const families = new Map<string, SeedField[]>();
  let current: SeedField[] | undefined;
  for (const line of section.split('\n')) {
    const header = /^([A-Z][A-Za-z ]+?)(?: \(.*\))?:\s*$/.exec(line.trim());
    if (header !== null) {
      current = [];
      families.set(header[1], current);
      continue;
    }
    const bullet = /^- (.+)$/.exec(line.trim());
    if (bullet !== null && current !== undefined) {
      const m = /^(.*?)(?: \((.*)\))?$/.exec(squash(bullet[1]))!;
      current.push({
        name: m[1],
        values: m[2] === undefined ? [] : m[2].split(',').map((v) => v.trim()),
      });
    }
  }
  return families;
}

function definitionBySeedName(name: string): EventTypeDefinition {
  const d = catalog.list().find((x) => x.seedName === name);
  if (d === undefined) throw new Error(`no event type has seed name "${name}"`);
  return d;
}

describe('seed 000: every MFA field has a place in the catalog', () => {
  const families = mfaFamilies();

  it('finds the five families of the seed', () => {
    expect([...families.keys()]).toEqual([
      'Authentication Attempts',
      'Activations',
      'Blocks',
      'Bypasses',
      'Changes',
    ]);
    expect([...families.values()].reduce((n, f) => n + f.length, 0)).toBe(37 + 11 + 16 + 13 + 12);
  });

  it.each([...mfaFamilies().keys()])(
    '%s: each field name is the seed name of a field of its type',
    (family) => {
      const definition = definitionBySeedName(family);
      const seedNames = definition.fields
        .map((f) => f.seedName)
        .filter((n): n is string => n !== null);
      const missing = families
        .get(family)!
        .map((f) => f.name)
        .filter((name) => !seedNames.includes(name));
      expect(missing).toEqual([]);
    },
  );

  it.each([...mfaFamilies().keys()])(
    '%s: repeated names in the seed map to as many fields',
    (family) => {
      const definition = definitionBySeedName(family);
      const counts = new Map<string, number>();
      for (const f of families.get(family)!) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
      for (const [name, count] of counts) {
        expect([name, definition.fields.filter((f) => f.seedName === name).length]).toEqual([
          name,
          count,
        ]);
      }
    },
  );

  it('gives enumerated seed fields exactly the seed values', () => {
    for (const [family, fields] of families) {
      const definition = definitionBySeedName(family);
      for (const seedField of fields.filter((f) => f.values.length > 0)) {
        const spec = definition.fields.find((f) => f.seedName === seedField.name)!;
        const values = spec.type.replace(/^enum: /, '').split(' | ');
        expect([seedField.name, values.map(token)]).toEqual([
          seedField.name,
          seedField.values.map(token),
        ]);
      }
    }
  });

  it('maps the people and timestamps as API.md says', () => {
    const pathOf = (family: string, name: string): string[] =>
      definitionBySeedName(family)
        .fields.filter((f) => f.seedName === name)
        .map((f) => f.path);
    for (const family of families.keys())
      expect(pathOf(family, 'Username')).toEqual(['/target/userPrincipalName']);
    expect(pathOf('Blocks', 'Block By Username')).toEqual(['/actor/userPrincipalName']);
    expect(pathOf('Bypasses', 'Bypass By Username')).toEqual(['/actor/userPrincipalName']);
    expect(pathOf('Authentication Attempts', 'Timestamp')).toEqual(['/occurredAt']);
    expect(pathOf('Blocks', 'Block Timestamp')).toEqual(['/occurredAt']);
    expect(pathOf('Bypasses', 'Bypass Timestamp')).toEqual(['/occurredAt']);
    expect(pathOf('Changes', 'Change Timestamp')).toEqual(['/occurredAt']);
    expect(pathOf('Blocks', 'Completion Timestamp')).toEqual(['/details/completedAt']);
  });

  it('marks names, emails, phones, extensions, IP addresses, device names and tokens personal to the target, and nothing else', () => {
    const personal = /Name$|Email|Phone Number|Extension|IP Address|Device Token|Username/;
    for (const family of families.keys()) {
      for (const f of definitionBySeedName(family).fields.filter((x) => x.seedName !== null)) {
        const expected =
          personal.test(f.seedName!) && !['User Group', 'Application Name'].includes(f.seedName!)
            ? f.path.startsWith('/actor/')
              ? 'actor'
              : 'target'
            : null;
        expect([family, f.seedName, f.whose]).toEqual([family, f.seedName, expected]);
      }
    }
  });
});

interface SeedActivity {
  readonly name: string;
  readonly lists: Map<string, string[]>;
}

/** The activity list and each "### Activity type" section with its labelled value lists. */
function ssprActivities(): SeedActivity[] {
  const names = [...seed002.matchAll(/^\* \[([^\]]+)\]\(#activity-type-[^)]+\)/gm)].map(
    (m) => m[1],
  );
  const sections = seed002.split('\n### Activity type: ').slice(1);
  expect(sections).toHaveLength(names.length);
  return sections.map((section, i) => {
    const lists = new Map<string, string[]>();
    let label = '';
    for (const line of section.split('\n')) {
      const l = /^\* \*\*(.+?)\*\*/.exec(line);
      if (l !== null) {
        label = l[1];
        lists.set(label, []);
        continue;
      }
      const v = /^\s+- \*(.+?)\*:/.exec(line);
      if (v !== null) lists.get(label)?.push(v[1]);
    }
    return { name: names[i], lists };
  });
}

describe('seed 002: SSPR activity types, statuses and failure reasons', () => {
  const activities = ssprActivities();

  it('has one event type per activity type, named by the seed, and the policy changes of the current doc', () => {
    const ssprSeedNames = catalog
      .list()
      .filter((d) => d.category === 'sspr')
      .map((d) => d.seedName);
    // Microsoft's current SSPR reporting doc lists an eighth activity before the seven of
    // seed 002 (the ninth report question): sspr.PolicyChanged.
    expect(ssprSeedNames).toEqual([...activities.map((a) => a.name), SSPR_POLICY_CHANGES_ACTIVITY]);
  });

  it.each(ssprActivities().map((a) => a.name))(
    '%s: statuses and failure reasons as the seed lists them',
    (name) => {
      const activity = activities.find((a) => a.name === name)!;
      const definition = definitionBySeedName(name);
      const statuses = [...activity.lists.entries()].find(([label]) =>
        /statuses|status$/i.test(label),
      )?.[1];
      expect(definition.statuses).toEqual(statuses);
      const reasons = activity.lists.get('Activity status failure reason') ?? [];
      if (reasons.length > 0) {
        expect(definition.reasons).toEqual(reasons);
        expect(definition.reasonStatuses).toEqual(['Failure']);
      }
    },
  );

  it('allows the seed values of OnPremisesAgent for admin resets', () => {
    const activity = activities.find((a) => a.name === 'Reset password (by admin)')!;
    const values = activity.lists.get('Activity additional details OnPremisesAgent')!;
    const spec = definitionBySeedName('Reset password (by admin)').fields.find(
      (f) => f.seedName === 'OnPremisesAgent',
    )!;
    expect(
      spec.type
        .replace(/^enum: /, '')
        .split(' | ')
        .map(token),
    ).toEqual(values.map(token));
  });

  it('allows no reason where the seed says failure reasons do not apply', () => {
    const blocked = activities.find((a) => a.name === 'Blocked from self-service password reset')!;
    expect(blocked.lists.get('Activity status failure reason')).toEqual([]);
    expect(definitionBySeedName(blocked.name).reasons).toBeNull();
  });
});
