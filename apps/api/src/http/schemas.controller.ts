import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access } from '@authtrail/auth';
import { EventCatalog } from '@authtrail/catalog';
import { ROLES } from '@authtrail/key-vault';
import { NotFoundError } from '@authtrail/platform';
import { ApiCatalog, ApiEventSchema } from './schemas.openapi';

@ApiTags('schemas')
@ApiBearerAuth()
@Controller('v1/schemas')
export class SchemasController {
  constructor(private readonly catalog: EventCatalog) {}

  @Get()
  @Access(...ROLES)
  @ApiCatalog()
  list() {
    const schemas = this.catalog.jsonSchemas();
    return {
      items: this.catalog.list().map((d) => ({
        type: d.type,
        category: d.category,
        schemaVersion: d.schemaVersion,
        seedName: d.seedName,
        description: d.description,
        producerPostable: d.producerPostable,
        actor: d.actor,
        target: d.target,
        statuses: d.statuses,
        reasons: d.reasons,
        fields: d.fields,
        jsonSchema: schemas[d.type],
      })),
    };
  }

  @Get(':type')
  @Access(...ROLES)
  @ApiEventSchema()
  one(@Param('type') type: string) {
    const schema = this.catalog.jsonSchemas()[type];
    if (!schema) throw new NotFoundError('no such event type', 'SCHEMA.NOT_FOUND');
    return schema;
  }
}
