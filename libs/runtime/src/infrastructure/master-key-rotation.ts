import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
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
  // Written whole to a temporary name, flushed, then renamed and the directory flushed:
  // `.next` either holds the complete new key durably or does not exist.
  const tmp = `${next}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${bytes.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, next);
  syncDir(next);
  const master = masterKeyFromBytes(bytes);
  bytes.fill(0);
  await keyring.rotateMasterKey(master);
  installNext(file);
  return master;
}

/** Replaces the key file with `<file>.next`, durably. */
export function installNext(file: string): void {
  renameSync(`${file}.next`, file);
  syncDir(file);
}

function syncDir(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
