import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@authtrail/config';
import { Keyring, masterKeyFromBytes, newKeyBytes } from '@authtrail/key-vault';
import { RuntimeModule, rotateMasterKeyFile } from '@authtrail/runtime';
import { CliError } from '../api-client';
import { runningServer } from '../server-lock';

/**
 * `authtrail rotate-master-key`: re-wraps every tenant key under a new master key.
 * Events are untouched. Runs on the stores directly, so the server must be stopped.
 */
export async function rotateMasterKey(config: AppConfig, newKey?: string): Promise<string> {
  if (runningServer(config.dataDir))
    throw new CliError('stop the server first: rotation opens the key vault directly');
  const app = await NestFactory.createApplicationContext(
    RuntimeModule.forRoot({ config: { ...config, logLevel: 'warn' } }),
    {
      logger: false,
    },
  );
  try {
    const keyring = app.get(Keyring);
    if (config.masterKey === null) {
      const master = await rotateMasterKeyFile(config.masterKeyFile, keyring);
      return `rotated: tenant keys are now wrapped under master key ${master.id} (${config.masterKeyFile})`;
    }
    // With the key in the environment there is no file to stage it in: the new key is
    // shown before anything is re-wrapped, so a rotation cut off half-way can be
    // finished with `--new-key` (tenant keys wrapped under either key are read).
    const bytes = newKey === undefined ? newKeyBytes() : Buffer.from(newKey, 'base64');
    if (bytes.length !== 32) throw new CliError('--new-key must be base64 of 32 bytes');
    const base64 = bytes.toString('base64');
    process.stdout.write(
      `New master key (shown once; keep it before anything else — if this run is cut off, run again with --new-key ${newKey === undefined ? '<it>' : 'the same value'}):\n${base64}\n`,
    );
    await keyring.rotateMasterKey(masterKeyFromBytes(bytes));
    bytes.fill(0);
    return 'rotated. Set AUTHTRAIL_MASTER_KEY to the new value above before the next start.';
  } finally {
    await app.close();
  }
}
