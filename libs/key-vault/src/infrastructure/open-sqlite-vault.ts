import { SqliteCredentialStore } from './sqlite-credential-store.adapter';
import { SqliteKeyVault } from './sqlite-key-vault.adapter';
import { SqliteVaultConnection } from './sqlite-vault.connection';

export interface OpenedVault<K, C> {
  readonly keyVault: K;
  readonly credentials: C;
  /** Creates both stores' tables if missing. */
  init(): Promise<void>;
  /** Closes both stores and the shared connection. */
  close(): Promise<void>;
}

/**
 * Opens the key vault and credential store on one SQLite file (`':memory:'` for tests):
 * WAL, `synchronous=FULL`, `secure_delete=ON`. The file must not be the event log's.
 */
export function openSqliteVault(file: string): OpenedVault<SqliteKeyVault, SqliteCredentialStore> {
  const conn = new SqliteVaultConnection(file);
  const keyVault = new SqliteKeyVault(conn);
  const credentials = new SqliteCredentialStore(conn);
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
