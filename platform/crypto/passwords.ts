/**
 * Console passwords, hashed with scrypt (Node's own, from OpenSSL): memory-hard, salted, its cost
 * kept beside the hash (`scrypt$N$r$p$salt$hash`), so a later, higher cost applies to new hashes
 * while old ones still verify.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const cost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;

const scrypt = (password: string, salt: Buffer, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: 256 * options.N! * options.r! }, (error, key) => (error === null ? resolve(key) : reject(error)));
  });

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash verified when the account does not exist, so the answer takes as long either way. */
const absent = hashPassword(randomBytes(16).toString('hex'));

/** Whether `password` is the one `stored` was made from; `stored` undefined (no such account) is false, in the same time. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = (stored ?? (await absent)).split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const given = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(given, expected) && stored !== undefined;
}

/** What a new password must be: long enough to resist guessing at the console's sign-in rate. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'a password needs at least 12 characters';
  if (password.length > 200) return 'a password has at most 200 characters';
  return null;
}
