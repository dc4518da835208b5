import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  Access,
  CreatedKey,
  CurrentPrincipal,
  KeyView,
  Principal,
  createKeyRequestOf,
} from '@authtrail/auth';
import { AdminService } from '@authtrail/runtime';
import { ApiCreateKey, ApiListKeys, ApiRevokeKey } from './keys.openapi';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @HttpCode(201)
  @Access('tenant-admin')
  @ApiCreateKey()
  async create(@Body() body: unknown, @CurrentPrincipal() p: Principal): Promise<CreatedKey> {
    const request = createKeyRequestOf(body);
    return this.admin.createKey(p.tenantId, request, p.keyId, p.roles);
  }

  @Get()
  @Access('tenant-admin')
  @ApiListKeys()
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: KeyView[] }> {
    return { items: await this.admin.listKeys(p.tenantId) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('tenant-admin')
  @ApiRevokeKey()
  async revoke(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.admin.revokeKey(p.tenantId, id, p.keyId);
  }
}
