/**
 * Writes docs/event-catalog.md from the event catalog. The unit test
 * libs/catalog/src/catalog-docs.spec.ts fails whenever the file and the catalog
 * differ, so run this after changing an event type:
 *
 *   AUTHTRAIL_WRITE_DOCS=1 npx jest libs/catalog/src/catalog-docs.spec.ts
 *
 * (that test calls `writeCatalogDocs`; the repo has no TypeScript runner outside jest).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalog, renderCatalogMarkdown } from '@authtrail/catalog';

export const CATALOG_DOCS_PATH = join(__dirname, '..', 'docs', 'event-catalog.md');

export function writeCatalogDocs(path: string = CATALOG_DOCS_PATH): string {
  const markdown = renderCatalogMarkdown(EventCatalog.default());
  writeFileSync(path, markdown, 'utf8');
  return path;
}

if (require.main === module) {
  process.stdout.write(`wrote ${writeCatalogDocs()}\n`);
}
