/** Console accounts as the command and `npm start`'s sandbox make them: validated names, hashed passwords. */
import { randomBytes } from 'node:crypto';
import { hashPassword, passwordProblem } from './crypto/passwords.ts';
import type { Db } from './db.ts';
import { addAccount, setPassword, type ConsoleRole } from './stores/console.ts';

/** Lower-case letters, digits, dots, hyphens, underscores; 2 to 64 characters, starting with a letter or digit. */
export const accountNamePattern = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** A password for a new account when none is given: 20 characters from 120 random bits. */
export const newPassword = () => randomBytes(15).toString('base64url');

export async function createAccount(db: Db, name: string, role: ConsoleRole, password: string): Promise<'created' | 'exists'> {
  if (!accountNamePattern.test(name)) throw new Error(`"${name}" is not an account name: lower-case letters, digits, ".", "-", "_", 2 to 64 characters`);
  const problem = passwordProblem(password);
  if (problem !== null) throw new Error(problem);
  return (await addAccount(db, { name, role, passwordHash: await hashPassword(password) })) ? 'created' : 'exists';
}

export async function changePassword(db: Db, name: string, password: string): Promise<boolean> {
  const problem = passwordProblem(password);
  if (problem !== null) throw new Error(problem);
  return setPassword(db, name, await hashPassword(password));
}

/** `npm start`'s sandbox accounts, each with a fresh password for this run (returned to print). */
export async function sandboxAccounts(db: Db): Promise<Array<{ name: string; role: ConsoleRole; password: string }>> {
  const accounts: Array<{ name: string; role: ConsoleRole; password: string }> = [];
  for (const [name, role] of [['revisor', 'reviewer'], ['operador', 'operator']] as const) {
    const password = newPassword();
    if ((await createAccount(db, name, role, password)) === 'exists') await changePassword(db, name, password);
    accounts.push({ name, role, password });
  }
  return accounts;
}
