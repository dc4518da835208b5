import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CreatedKey, CurrentPrincipal, KeyView, Principal } from '@authtrail/auth';
import { ValidationError } from '@authtrail/platform';
import { AdminService } from '@authtrail/runtime';

interface CreateKeyBody {
  roles?: unknown;
  name?: unknown;
  expiresAt?: unknown;
}

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @HttpCode(201)
  @Access('tenant-admin')
  @ApiOperation({
    summary: 'Create an API key of this tenant; the key is shown only in this response',
  })
  async create(
    @Body() body: CreateKeyBody | undefined,
    @CurrentPrincipal() p: Principal,
  ): Promise<CreatedKey> {
    const b = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const errors = [];
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 100))
      errors.push({ path: '/name', message: 'must be a string of at most 100 characters' });
    let expiresAt: Date | null = null;
    if (b.expiresAt !== undefined && b.expiresAt !== null) {
      expiresAt = typeof b.expiresAt === 'string' ? new Date(b.expiresAt) : new Date(NaN);
      if (Number.isNaN(expiresAt.getTime()))
        errors.push({ path: '/expiresAt', message: 'must be an ISO-8601 date-time' });
    }
    const extra = Object.keys(b).filter((k) => !['roles', 'name', 'expiresAt'].includes(k));
    for (const k of extra) errors.push({ path: `/${k}`, message: 'unknown field' });
    if (errors.length > 0) throw new ValidationError('invalid key request', errors, 'KEY.INVALID');
    return this.admin.createKey(
      p.tenantId,
      { roles: b.roles, name: b.name as string | undefined, expiresAt },
      p.keyId,
      p.roles,
    );
  }

  @Get()
  @Access('tenant-admin')
  @ApiOperation({ summary: "List this tenant's API keys (never their secrets)" })
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: KeyView[] }> {
    return { items: await this.admin.listKeys(p.tenantId) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('tenant-admin')
  @ApiOperation({ summary: 'Revoke an API key of this tenant' })
  async revoke(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.admin.revokeKey(p.tenantId, id, p.keyId);
  }
}
