import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalog } from './domain/event-catalog';
import { exampleEvent, exampleTypes } from './testing/examples';

const DIR = join(__dirname, '..', '..', '..', 'examples');
const catalog = EventCatalog.default();
/** Fixed, so the files are stable; re-render them to move it (AUTHTRAIL_WRITE_DOCS=1). */
const OCCURRED_AT = '2026-12-02T12:00:00.000Z';

/** A UUID (v5 layout) from the type: the same eventId at every render. */
function eventIdOf(type: string): string {
  const h = createHash('sha1').update(`authtrail-example:${type}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** examples/: one event per producer type (`<type>.json`) and all of them (`events.json`). */
function render(): Map<string, string> {
  const files = new Map<string, string>();
  const all = catalog
    .producerTypes()
    .map((d) => exampleEvent(d.type, { eventId: eventIdOf(d.type), occurredAt: OCCURRED_AT }));
  for (const e of all) files.set(`${e.type}.json`, `${JSON.stringify(e, null, 2)}\n`);
  files.set('events.json', `${JSON.stringify(all, null, 2)}\n`);
  return files;
}

describe('examples/', () => {
  const files = render();
  if (process.env.AUTHTRAIL_WRITE_DOCS === '1') {
    mkdirSync(DIR, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(DIR, name), text);
  }

  it('has one example per producer type, each from the catalog (regenerate: AUTHTRAIL_WRITE_DOCS=1 npx jest libs/catalog/src/examples-files.spec.ts, then prettier --write examples)', () => {
    expect(existsSync(DIR)).toBe(true);
    const present = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(present.sort()).toEqual([...files.keys()].sort());
    // Compared as JSON: prettier lays the files out (prettier --write examples).
    for (const [name, text] of files)
      expect({ name, json: JSON.parse(readFileSync(join(DIR, name), 'utf8')) as unknown }).toEqual({
        name,
        json: JSON.parse(text) as unknown,
      });
    expect(
      catalog
        .producerTypes()
        .map((d) => d.type)
        .sort(),
    ).toEqual([...exampleTypes].sort());
  });

  it('holds only events the catalog accepts', () => {
    const all = JSON.parse(readFileSync(join(DIR, 'events.json'), 'utf8')) as unknown[];
    expect(all).toHaveLength(catalog.producerTypes().length);
    for (const e of all) {
      const outcome = catalog.validate(e);
      expect(outcome.ok ? [] : outcome.issues).toEqual([]);
    }
    expect(new Set(all.map((e) => (e as { eventId: string }).eventId)).size).toBe(all.length);
  });
});
