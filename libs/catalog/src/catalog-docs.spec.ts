import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_DOCS_PATH, writeCatalogDocs } from '../../../scripts/gen-catalog-docs';
import { EventCatalog } from './domain/event-catalog';
import { renderCatalogMarkdown } from './domain/catalog-markdown';
import { exampleEvent, exampleTypes } from './testing/examples';

const catalog = EventCatalog.default();

describe('docs/event-catalog.md', () => {
  it('equals the catalog as rendered (regenerate: AUTHTRAIL_WRITE_DOCS=1 npx jest libs/catalog/src/catalog-docs.spec.ts)', () => {
    if (process.env.AUTHTRAIL_WRITE_DOCS === '1') writeCatalogDocs();
    expect(existsSync(CATALOG_DOCS_PATH)).toBe(true);
    expect(readFileSync(CATALOG_DOCS_PATH, 'utf8')).toBe(renderCatalogMarkdown(catalog));
  });

  it('lists every type with its seed name, retention, people, statuses and every field', () => {
    const md = renderCatalogMarkdown(catalog);
    for (const d of catalog.list()) {
      expect(md).toContain(`### \`${d.type}\``);
      expect(md).toContain(`- Source name: ${d.seedName}`);
      expect(md).toContain(`retention ${d.retentionDays} days`);
      expect(md).toContain(`- Actor: ${d.actor}; target: ${d.target}`);
      const section = md.split(`### \`${d.type}\``)[1].split('\n### ')[0];
      for (const f of d.fields) expect(section).toContain(`| \`${f.path}\` |`);
    }
    expect(md).toMatch(/\| `\/details\/newPin` \| [^\n]*\| yes: reduced to a fact \| New PIN \|/);
    expect(md).toMatch(
      /\| `\/details\/devices\/\*\/deviceToken` \| [^|]+\| no \| yes \| target \|/,
    );
  });
});

describe('published JSON Schemas', () => {
  const schemas = catalog.jsonSchemas();

  it('has one plain JSON Schema per type, with the personal, whose and secret annotations', () => {
    expect(Object.keys(schemas)).toEqual(catalog.list().map((d) => d.type));
    const changed = JSON.parse(JSON.stringify(schemas['mfa.UserChanged']));
    expect(changed).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      'x-authtrail-category': 'mfa',
      'x-authtrail-retention-days': 90,
      properties: {
        target: {
          properties: {
            userPrincipalName: { 'x-authtrail-personal': true, 'x-authtrail-whose': 'target' },
          },
        },
        details: {
          properties: {
            newPhoneNumber: { 'x-authtrail-personal': true, 'x-authtrail-whose': 'target' },
            newPin: { 'x-authtrail-secret': true, 'x-authtrail-secret-handling': 'fact' },
          },
        },
      },
    });
    expect(changed.properties.target.properties.role).not.toHaveProperty('x-authtrail-personal');
    const bypass = JSON.parse(JSON.stringify(schemas['mfa.BypassGranted']));
    const actor = bypass.properties.actor.properties.userPrincipalName;
    expect(actor['x-authtrail-whose']).toBe('actor');
  });

  it('validates the examples on its own, with any draft-07 validator', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const type of exampleTypes) {
      const validate = ajv.compile(schemas[type]);
      expect([type, validate(exampleEvent(type)), validate.errors ?? null]).toEqual([
        type,
        true,
        null,
      ]);
      expect(validate({ ...exampleEvent(type), unknown: 1 })).toBe(false);
    }
  });
});

describe('user-facing text', () => {
  // "seed 000" is the project's name for a source document; users know them by their titles.
  it('names sources by their titles, never as "seed 000"', () => {
    const root = join(__dirname, '../../..');
    const files = [
      'README.md',
      ...readdirSync(join(root, 'docs'), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
      ...['apps/console/src', 'apps/cli/src'].flatMap((dir) =>
        readdirSync(join(root, dir), { recursive: true })
          .map(String)
          .filter((f) => /\.m?ts$/.test(f) && !f.includes('.spec.'))
          .map((f) => join(dir, f)),
      ),
    ];
    const hits = files.flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ at: `${f}:${i + 1}`, line }))
        .filter(({ line }) => /\bseeds? \d{3}\b|\bthe seeds?\b/i.test(line))
        .map(({ at }) => at),
    );
    expect(hits).toEqual([]);
  });
});
