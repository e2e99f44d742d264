/**
 * `npm run audit:verify`: checks the audit log's hash chain (README, "Personal data") on DATABASE_URL,
 * or the local default database; prints a JSON report, exit status 1 when it does not hold.
 */
import { loadConfig } from '../platform/config.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { verifyAuditChain } from '../platform/stores/audit.ts';

const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'));
try {
  const report = await verifyAuditChain(db);
  console.log(JSON.stringify(report, null, 2));
  if (!report.ok) process.exitCode = 1;
} finally {
  await db.end();
}
