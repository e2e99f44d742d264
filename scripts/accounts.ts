/**
 * `npm run accounts -- <command>`: the reviewer console's accounts.
 *   add <name> --role reviewer|operator [--password-stdin]   a new account (a password is made and printed unless given on stdin)
 *   password <name> [--password-stdin]                       a new password (made and printed unless given on stdin)
 *   disable <name> | enable <name>                           a disabled account cannot sign in; its open sessions end
 *   list                                                     every account, its role and state
 * On DATABASE_URL, else the local default database (started if needed, as `npm start` does); migrations run first.
 */
import { loadConfig } from '../platform/config.ts';
import { changePassword, createAccount, newPassword } from '../platform/console-accounts.ts';
import { findOrStartDatabase } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { migrate } from '../platform/migrate.ts';
import { listAccounts, setAccountDisabled } from '../platform/stores/console.ts';

const usage = 'Usage: npm run accounts -- add <name> --role reviewer|operator [--password-stdin] | password <name> [--password-stdin] | disable <name> | enable <name> | list';
const [command, name, ...rest] = process.argv.slice(2);
const option = (flag: string) => {
  const index = rest.indexOf(flag);
  return index === -1 ? undefined : rest[index + 1];
};

async function readPassword(): Promise<{ password: string; made: boolean }> {
  if (!rest.includes('--password-stdin')) return { password: newPassword(), made: true };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { password: Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, ''), made: false };
}

async function main(): Promise<number> {
  if (command === undefined || (command !== 'list' && name === undefined)) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig(process.env);
  const database = await findOrStartDatabase({ configuredUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log: (line) => console.error(line) });
  const url = config.DATABASE_URL ?? database.url('leguas_franzinas');
  await migrate(url);
  const db = createDb(url);
  try {
    switch (command) {
      case 'add': {
        const role = option('--role');
        if (role !== 'reviewer' && role !== 'operator') {
          console.error('--role reviewer or --role operator is required');
          return 2;
        }
        const { password, made } = await readPassword();
        if ((await createAccount(db, name!, role, password)) === 'exists') {
          console.error(`An account "${name}" exists already (npm run accounts -- password ${name})`);
          return 1;
        }
        console.log(made ? `Account "${name}" (${role}) created; its password, shown once: ${password}` : `Account "${name}" (${role}) created`);
        return 0;
      }
      case 'password': {
        const { password, made } = await readPassword();
        if (!(await changePassword(db, name!, password))) {
          console.error(`No account "${name}"`);
          return 1;
        }
        console.log(made ? `New password for "${name}", shown once: ${password}` : `Password of "${name}" changed`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (!(await setAccountDisabled(db, name!, command === 'disable'))) {
          console.error(`No account "${name}"`);
          return 1;
        }
        console.log(`Account "${name}" ${command}d`);
        return 0;
      }
      case 'list': {
        for (const account of await listAccounts(db)) console.log(`${account.name}\t${account.role}\t${account.disabledAt === null ? 'active' : `disabled ${account.disabledAt.toISOString()}`}`);
        return 0;
      }
      default:
        console.error(usage);
        return 2;
    }
  } finally {
    await db.end();
    await database.stop();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
