import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeysService } from '@authtrail/auth';
import { loadConfig } from '@authtrail/config';
import { Keyring } from '@authtrail/key-vault';
import { AdminService, BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';

async function context(env: Record<string, string>) {
  const config = loadConfig({ AUTHTRAIL_LOG_LEVEL: 'silent', ...env });
  return NestFactory.createApplicationContext(RuntimeModule.forRoot({ config }), { logger: false });
}

describe('first start and tenant creation survive a crash', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'authtrail-boot-'));
    dirs.push(d);
    return d;
  };

  it('a first start cut off after creating the tenant is finished by the next start', async () => {
    const dir = fresh();
    const app = await context({ AUTHTRAIL_DATA_DIR: dir });
    try {
      // The crash: the tenant was recorded, its key and bootstrap credential were not.
      await app.get(TenantsService).create('default', { keyId: 'bootstrap' });
      const outcome = await app.get(BootstrapService).ensure();
      expect(outcome.createdKey).toMatch(/^atk_/);
      expect(await app.get(Keyring).tenantHasKey('default')).toBe(true);
      expect((await app.get(BootstrapService).ensure()).createdKey).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('a tenant creation cut off before its admin key is finished by a retry; a complete one stays taken', async () => {
    const dir = fresh();
    const app = await context({ AUTHTRAIL_DATA_DIR: dir });
    try {
      await app.get(TenantsService).create('acme', { keyId: 'op' });
      const retried = await app.get(AdminService).createTenant('acme', 'op');
      expect(retried.adminKey).toMatch(/^atk_/);
      expect(await app.get(Keyring).tenantHasKey('acme')).toBe(true);
      await expect(app.get(AdminService).createTenant('acme', 'op')).rejects.toMatchObject({
        code: 'TENANT.EXISTS',
      });
    } finally {
      await app.close();
    }
  });

  it('a deleted default tenant does not get its bootstrap key back on restart', async () => {
    const dir = fresh();
    const env = {
      AUTHTRAIL_DATA_DIR: dir,
      AUTHTRAIL_BOOTSTRAP_KEY: 'bootstrap-key-for-this-test-0123456789',
      AUTHTRAIL_TENANT_DELETION_GRACE: '0',
    };
    let app = await context(env);
    await app.get(BootstrapService).ensure();
    await app.get(TenantsService).scheduleDeletion('default', { keyId: 'x' });
    await app.get(TenantsService).completeDeletionIfDue('default', app.get(AdminService));
    await app.close();
    app = await context(env);
    try {
      await app.get(BootstrapService).ensure();
      expect(await app.get(ApiKeysService).list('default')).toEqual([]);
      expect(await app.get(Keyring).tenantHasKey('default')).toBe(false);
    } finally {
      await app.close();
    }
  });
});
