import type { Config } from '../config.ts';
import { developmentKeyring, parseMasterKeys, type Keyring } from './keyring.ts';

/**
 * The master keys from `MASTER_KEYS`; without it (refused in production by the configuration) the
 * development key under DATA_DIR, made on first use, and `say` tells where it is.
 */
export async function loadKeyring(config: Pick<Config, 'MASTER_KEYS' | 'DATA_DIR'>, say: (line: string) => void): Promise<Keyring> {
  if (config.MASTER_KEYS !== undefined) return parseMasterKeys(config.MASTER_KEYS);
  const { keyring, file, created } = await developmentKeyring(config.DATA_DIR);
  say(`MASTER_KEYS is not set: stored files are encrypted with the development key ${created ? 'just made' : 'kept'} at ${file} (never use it in production)`);
  return keyring;
}
