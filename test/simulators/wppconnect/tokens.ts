/**
 * Tokens shaped like WPPConnect's: the server bcrypt-hashes `session + SECRET_KEY`
 * (cost 10) and replaces '/' by '_' and '+' by '-'. Here an HMAC stands in for
 * bcrypt, with the same layout `$2b$10$<22-char salt><31-char hash>`, and checking
 * works like bcrypt.compare: recompute from the token's salt and compare. So a token
 * is valid exactly while the session name and the secret key are unchanged.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SHAPE = /^\$2[aby]\$10\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

function bcryptBase64(bytes: Buffer, length: number): string {
  const standard = bytes.toString('base64').replace(/=+$/, '');
  return [...standard].map((char) => BCRYPT[STANDARD.indexOf(char)]).join('').slice(0, length);
}

function hashPart(salt: string, session: string, secretKey: string): string {
  return bcryptBase64(createHmac('sha256', salt).update(session + secretKey).digest(), 31);
}

/** What generate-token answers in `token` (deterministic: same session and secret, same token). */
export function issueToken(session: string, secretKey: string): string {
  const salt = bcryptBase64(createHash('sha256').update(`salt:${session}:${secretKey}`).digest(), 22);
  const hash = `$2b$10$${salt}${hashPart(salt, session, secretKey)}`;
  return hash.replace(/\//g, '_').replace(/\+/g, '-');
}

/** The auth middleware's check; it first undoes the '_' and '-' substitutions. */
export function tokenMatches(token: string, session: string, secretKey: string): boolean {
  const match = SHAPE.exec(token.replace(/_/g, '/').replace(/-/g, '+'));
  if (match === null) return false;
  const [, salt = '', hash = ''] = match;
  const expected = Buffer.from(hashPart(salt, session, secretKey));
  const given = Buffer.from(hash);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
