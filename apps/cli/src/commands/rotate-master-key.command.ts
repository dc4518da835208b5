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
export async function rotateMasterKey(config: AppConfig): Promise<string> {
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
    const bytes = newKeyBytes();
    const base64 = bytes.toString('base64');
    await keyring.rotateMasterKey(masterKeyFromBytes(bytes));
    bytes.fill(0);
    return `rotated. Set AUTHTRAIL_MASTER_KEY to this new value before the next start (shown once):\n${base64}`;
  } finally {
    await app.close();
  }
}
