/**
 * The master keys that protect stored data (key-encryption keys): each file's own data key is
 * wrapped by one of them. `MASTER_KEYS` lists them as `id:base64` (32 random bytes each), comma
 * separated; the first wraps what is written now, the others are kept to read what they wrapped
 * until `npm run keys:rotate` has re-wrapped it. The key material is never logged or shown.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Wraps every new data key. */
  current: MasterKey;
  find(id: string): MasterKey | undefined;
  ids(): string[];
}

const idPattern = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** A new master key as `MASTER_KEYS` takes it (`npm run keys:new`). */
export function newMasterKey(id: string): string {
  if (!idPattern.test(id)) throw new Error('A key id is 1 to 32 characters of a-z, 0-9, _ and -, starting with a letter or digit');
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The problems of a `MASTER_KEYS` value, none when it is usable (messages never quote key material). */
export function masterKeysProblems(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) return ['MASTER_KEYS is empty: give at least one key as id:base64 (npm run keys:new -- <id>)'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const material = colon < 0 ? '' : entry.slice(colon + 1);
    if (!idPattern.test(id)) problems.push(`MASTER_KEYS entry ${index + 1}: the id must be 1 to 32 characters of a-z, 0-9, _ and - (id:base64)`);
    else if (seen.has(id)) problems.push(`MASTER_KEYS entry ${index + 1}: the id ${id} is used twice`);
    seen.add(id);
    if (!/^[A-Za-z0-9+/]{43}=$/.test(material) || Buffer.from(material, 'base64').length !== 32) {
      problems.push(`MASTER_KEYS entry ${index + 1}${idPattern.test(id) ? ` (${id})` : ''}: the key must be 32 bytes in base64 (44 characters)`);
    }
  }
  return problems;
}

export function parseMasterKeys(text: string): Keyring {
  const problems = masterKeysProblems(text);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const keys = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').map((entry) => {
    const colon = entry.indexOf(':');
    return { id: entry.slice(0, colon), key: Buffer.from(entry.slice(colon + 1), 'base64') };
  });
  return keyringOf(keys);
}

export function keyringOf(keys: MasterKey[]): Keyring {
  const [current] = keys;
  if (current === undefined) throw new Error('A keyring needs at least one key');
  const byId = new Map(keys.map((key) => [key.id, key]));
  return { current, find: (id) => byId.get(id), ids: () => [...byId.keys()] };
}

/**
 * Outside production, with no `MASTER_KEYS`: a development key kept under the data folder (made on
 * first use, 0600), so `npm start` works with nothing set and its files stay readable across restarts.
 * Returns the keyring and the file, which the caller says out loud.
 */
export async function developmentKeyring(dataDir: string): Promise<{ keyring: Keyring; file: string; created: boolean }> {
  const folder = path.resolve(dataDir, 'keys');
  const file = path.join(folder, 'development-master-key');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  let created = false;
  // Written whole under another name, then linked into place: another process starting at the same
  // moment finds no file or the whole key, and only one key ever lands.
  const draft = `${file}~${randomBytes(6).toString('hex')}`;
  const handle = await open(draft, 'wx', 0o600);
  try {
    await handle.writeFile(newMasterKey(`dev-${randomBytes(4).toString('hex')}`));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(draft, file);
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return { keyring: parseMasterKeys((await readFile(file, 'utf8')).trim()), file, created };
}
