import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SealKeyError } from '../domain/ledger.errors';
import { SealPublicKey, SealSigningKey, sealPublicKeyFromPem } from '../domain/seal-key';

/** Injection token of the process's {@link SealSigningKey}. */
export const SEAL_KEY = Symbol('SealKey');

/**
 * The seal signing key from `AUTHTRAIL_SEAL_KEY_FILE` (PKCS#8 PEM, Ed25519), created with
 * mode 0600 on first start. It is kept apart from the event log: someone who can rewrite
 * the log but not read this file cannot forge seals.
 */
export function loadOrCreateSealKey(file: string): SealSigningKey {
  try {
    return readSealKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(file, e);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key another process created a moment ago.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, pem);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw wrap(file, e);
  }
  try {
    return readSealKey(file);
  } catch (e) {
    throw wrap(file, e);
  }
}

/** Reads an existing seal key file; throws ENOENT errors as they are. */
export function readSealKey(file: string): SealSigningKey {
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SealKeyError(`seal key ${file} is not an Ed25519 key`);
  const pub = sealPublicKeyFromPem(
    createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(),
  );
  return { ...pub, sign: (bytes) => sign(null, bytes, privateKey) };
}

/**
 * A public key for verification: a PEM file (private keys give their public half), or the
 * JSON served at `GET /v1/ledger/public-key`.
 */
export function readSealPublicKey(file: string): SealPublicKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw wrap(file, e);
  }
  try {
    if (text.trimStart().startsWith('{')) {
      const json = JSON.parse(text) as { publicKeyPem?: unknown };
      if (typeof json.publicKeyPem !== 'string') throw new Error('no publicKeyPem member');
      return sealPublicKeyFromPem(json.publicKeyPem);
    }
    if (text.includes('PRIVATE KEY')) {
      return sealPublicKeyFromPem(
        createPublicKey(createPrivateKey(text)).export({ format: 'pem', type: 'spki' }).toString(),
      );
    }
    return sealPublicKeyFromPem(text);
  } catch (e) {
    throw wrap(file, e);
  }
}

function wrap(file: string, e: unknown): SealKeyError {
  if (e instanceof SealKeyError) return e;
  return new SealKeyError(`cannot use seal key ${file}: ${(e as Error).message}`, e);
}
