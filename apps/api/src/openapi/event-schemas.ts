import type { EventCatalog } from '@authtrail/catalog';

/** Component name of an event type's schema. */
export const eventSchemaName = (type: string) => `Event.${type}`;

/**
 * The catalog's JSON Schema of every producer event type as a component (the same documents as
 * `GET /v1/schemas`, without `$schema`/`$id`, which belong to a standalone document), and
 * `ProducerEvent`, any of the types a producer may post.
 */
export function eventSchemas(catalog: EventCatalog): Record<string, object> {
  const published = catalog.jsonSchemas();
  const out: Record<string, object> = {};
  for (const { type } of catalog.producerTypes()) {
    const { $schema: _dialect, $id: _id, ...rest } = published[type] as Record<string, unknown>;
    out[eventSchemaName(type)] = rest;
  }
  out.ProducerEvent = {
    description: 'One event of a producer-postable type (GET /v1/schemas lists them)',
    oneOf: catalog
      .producerTypes()
      .map((d) => ({ $ref: `#/components/schemas/${eventSchemaName(d.type)}` })),
  };
  return out;
}
