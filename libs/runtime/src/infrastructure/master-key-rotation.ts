import { existsSync, renameSync, rmSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import {
  KeyVault,
  Keyring,
  MasterKey,
  loadOrCreateMasterKey,
  masterKeyFromBytes,
  newKeyBytes,
} from '@authtrail/key-vault';

/**
 * Master key rotation for a key file: the new key is written to `<file>.next` first,
 * then every tenant key is re-wrapped (events are untouched: data keys hang off tenant
 * keys, which do not change), then `.next` replaces the file. A crash at any point is
 * finished by `resumeMasterKeyRotation` at the next start, so no tenant key is ever
 * wrapped under a key that is not on disk.
 */
export async function rotateMasterKeyFile(file: string, keyring: Keyring): Promise<MasterKey> {
  const next = `${file}.next`;
  if (existsSync(next))
    throw new Error(`${next} exists: a rotation is unfinished; start the server once to finish it`);
  const bytes = newKeyBytes();
  const fd = openSync(next, 'wx', 0o600);
  try {
    writeSync(fd, `${bytes.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const master = masterKeyFromBytes(bytes);
  bytes.fill(0);
  await keyring.rotateMasterKey(master);
  renameSync(next, file);
  return master;
}

/**
 * At start: if a rotation was cut off, decide from the vault which key is current.
 * Returns the master key to use.
 */
export async function resumeMasterKeyRotation(
  file: string,
  current: MasterKey,
  vault: KeyVault,
): Promise<MasterKey> {
  const next = `${file}.next`;
  if (!existsSync(next)) return current;
  const candidate = loadOrCreateMasterKey({ file: next });
  const records = await vault.listTenantKeys();
  if (records.some((r) => r.masterKeyId === candidate.id)) {
    // Re-wrapping had begun: the new key is the one to keep. The keyring finishes the
    // remaining tenants when it is built with the old key and rotated again.
    return candidate;
  }
  rmSync(next);
  return current;
}
