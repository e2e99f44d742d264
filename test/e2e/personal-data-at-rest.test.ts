import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../platform/migrate.ts';
import { findOrBuildTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';
import { botDialogue, driverAnswers } from '../support/bot-dialogue.ts';
import { newDriverPhone } from '../support/bridge-views.ts';
import { ownDatabase } from '../support/own-database.ts';
import { eventually, startTestSystem, testEnvironment, type TestSystem } from '../support/test-system.ts';

/** Every row of every table of the system's database, as text: what a dump of it holds. */
async function databaseDump(sut: TestSystem): Promise<Map<string, string>> {
  const tables = await sut.system.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  const dump = new Map<string, string>();
  for (const { table_name: table } of tables.rows) {
    const rows = await sut.system.db.query(`SELECT * FROM "${table}"`);
    for (const [index, row] of rows.rows.entries()) {
      for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
        dump.set(`${table}[${index}].${column}`, Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value));
      }
    }
  }
  return dump;
}

/** The Temporal server's SQLite file (and its write-ahead log) as bytes. */
async function temporalFile(dbFile: string): Promise<string> {
  const parts = await Promise.all([dbFile, `${dbFile}-wal`].map((file) => readFile(file).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts).toString('latin1');
}

describe('a driver\'s personal data at rest: the database, Temporal\'s file and the log', () => {
  const database = ownDatabase('leguas_at_rest');
  const log = new PassThrough();
  let logged = '';
  log.on('data', (chunk: Buffer) => { logged += chunk.toString('utf8'); });
  let temporal: TemporalDevServer;
  let scratch: string;
  let dbFile: string;
  let sut: TestSystem;

  before(async () => {
    scratch = await mkdtemp(path.join(testEnvironment().scratchDir, 'at-rest-'));
    dbFile = path.join(scratch, 'temporal.db');
    temporal = await startTemporalDevServer({ cliPath: await findOrBuildTemporalCli(() => undefined), headless: true, dbFile, logFile: path.join(scratch, 'temporal.log') });
    await database.create();
    await migrate(database.url);
    sut = await startTestSystem(
      { BRIDGE_POLLING: 'false', INTAKE_SHARED_SECRET: `test-intake-${randomUUID()}`, LOG_LEVEL: 'debug' },
      { bridge: true, typebot: true, logStream: log, temporalAddress: temporal.address, databaseUrl: database.url },
    );
  });
  let stopped = false;
  after(async () => {
    if (!stopped) await sut?.stop();
    await temporal?.stop();
    await database.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('after a bot registration and a photo in the chat, holds no NIF, name, address, e-mail or phone readable anywhere', { timeout: 240_000 }, async () => {
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const answers = await driverAnswers();
    const photo = (bytes: Buffer) => ({ type: 'image' as const, media: { bytes, mimetype: 'image/jpeg' } });
    assert.match(await driver.says('Olá! Quero ser motorista', 'the welcome'), /registo de motorista/);
    assert.match(await driver.says('1'), /nome completo/);
    for (const answer of [answers.name, answers.nif, answers.phone, answers.email, answers.address, answers.postalCode, answers.city]) await driver.says(answer);
    await driver.says(photo(answers.licenceFront), 'the question for the back');
    await driver.says(photo(answers.licenceBack), 'the question for the proof of address');
    const summary = await driver.says({ type: 'document', media: { bytes: answers.proofOfAddress, mimetype: 'application/pdf', filename: 'fatura.pdf' } }, 'the summary');
    assert.match(summary, new RegExp(answers.nif), 'the driver saw their data in the summary');
    assert.match(await driver.says('1', 'the registration to be sent'), /Recebemos o seu registo/);
    const id = await eventually(async () => (await sut.system.db.query<{ id: string }>("SELECT id FROM registrations WHERE status = 'pending_approval'")).rows[0]?.id, 30_000, 'the registration pending');
    const turnsKept = await sut.system.db.query('SELECT 1 FROM bot_turns WHERE chat_id = $1', [sut.system.personal.index('chat', `${phone}@c.us`)]);
    assert.equal(turnsKept.rowCount, 1, 'the dialogue\'s kept turns went when it ended, but for the last one (retention takes it)');
    const view = await sut.asReviewer('GET', `/drivers/${id}`);
    assert.equal(view.body.nif, answers.nif, 'the system itself reads it all');

    const personal = { NIF: answers.nif, name: answers.name, address: answers.address, email: answers.email, 'phone typed in the form': answers.phone.replace(/\D/g, '').slice(-9) };
    const dump = await databaseDump(sut);
    // Stopped, so every write has reached Temporal's file.
    stopped = true;
    await sut.stop();
    await temporal.stop();
    const temporalBytes = await temporalFile(dbFile);
    assert.ok(temporalBytes.length > 100_000, 'Temporal\'s file holds the histories');
    assert.ok(temporalBytes.includes(id), 'and the registration\'s workflow (ids are not encrypted)');
    for (const [what, value] of Object.entries(personal)) {
      const rows = [...dump].filter(([, text]) => text.includes(value)).map(([where]) => where);
      assert.deepEqual(rows, [], `the database holds no ${what}`);
      assert.equal(temporalBytes.includes(value), false, `Temporal's file holds no ${what}`);
      assert.equal(logged.includes(value), false, `the log holds no ${what}`);
    }
    assert.ok(logged.length > 1000, 'the log was captured');
    // The phone: the chat's WhatsApp id holds it, so the bridge's and the bot's tables keep that id's keyed hash, and
    // Temporal names the chat's workflow by the same hash.
    const digits = phone.slice(3);
    assert.deepEqual([...dump].filter(([, text]) => text.includes(digits)).map(([where]) => where), [], 'the database holds no phone');
    assert.equal(temporalBytes.includes(digits), false, 'Temporal\'s file holds no phone');
    assert.equal(logged.includes(digits), false, 'the log holds no phone');
  });
});
