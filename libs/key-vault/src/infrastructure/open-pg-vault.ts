import { OpenedVault } from './open-sqlite-vault';
import { PgCredentialStore } from './pg-credential-store.adapter';
import { PgKeyVault } from './pg-key-vault.adapter';
import { PgVaultConnection, PgVaultOptions } from './pg-vault.connection';

/** Opens the key vault and credential store on one PostgreSQL pool. Call `init()` before use. */
export function openPgVault(
  connectionString: string,
  options: PgVaultOptions = {},
): OpenedVault<PgKeyVault, PgCredentialStore> {
  const conn = new PgVaultConnection(connectionString, options);
  const keyVault = new PgKeyVault(conn);
  const credentials = new PgCredentialStore(conn);
  return {
    keyVault,
    credentials,
    init: async () => {
      await keyVault.init();
      await credentials.init();
    },
    close: async () => {
      await keyVault.close();
      await credentials.close();
    },
  };
}
