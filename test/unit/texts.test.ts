/**
 * Every pt-PT text people read, in one place: renders each entry of the catalogues in
 * domain/texts (functions with the sample values below) and the Typebot flow's own texts into
 * docs/texts.md, grouped by who reads them, and fails when that file is not what the code says.
 * A new catalogue, or a new function without samples, fails here until it is listed. Also checks
 * the vocabulary rules of domain/texts/README.md on everything it renders, and "motorista, never
 * condutor" on the whole tree.
 *
 * Regenerate docs/texts.md: `npm run texts:update` (UPDATE_TEXTS=1 npx tsx --test test/unit/texts.test.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as agents from '../../domain/texts/agents.ts';
import * as consoleTexts from '../../domain/texts/console.ts';
import * as bot from '../../domain/texts/bot.ts';
import * as documents from '../../domain/texts/documents.ts';
import * as intake from '../../domain/texts/intake.ts';
import * as registration from '../../domain/texts/registration.ts';
import { plainText, type TypebotBlock, type TypebotFlow } from '../support/typebot-flow.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const textsDir = join(repoRoot, 'domain/texts');
const docPath = join(repoRoot, 'docs/texts.md');
const flowPath = join(repoRoot, 'docs/typebot-flows/cadastro-motorista.json');
const regenerate = 'npm run texts:update (UPDATE_TEXTS=1 npx tsx --test test/unit/texts.test.ts)';

// ---- Who reads each catalogue, where, and the sample values its functions are shown with ---------

type Reader = 'driver' | 'reviewer' | 'agent';
type TextFunction = (...args: never[]) => string;
/** One list of arguments per rendering, for every function entry (and only those). */
type Samples<C> = { [K in keyof C as C[K] extends TextFunction ? K : never]: C[K] extends (...args: infer A) => string ? readonly A[] : never };
type Section<C> = { reader: Reader; where: string } & (keyof Samples<C> extends never ? { samples?: Samples<C> } : { samples: Samples<C> });
type Guide<M> = { [E in keyof M]: Section<M[E]> };

interface Listed { file: string; name: string; catalogue: Record<string, unknown>; reader: Reader; where: string; samples: Record<string, readonly unknown[][]> }

const isCatalogue = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The module's catalogues in the guide's order; an export the guide does not describe fails. */
function listed<M extends object>(file: string, module: M, guide: Guide<M>): Listed[] {
  const sections = guide as Record<string, Section<unknown>>;
  const undescribed = Object.keys(module).filter((name) => !(name in sections));
  assert.deepEqual(undescribed, [], `${file} exports catalogues with no reader, place and samples in test/unit/texts.test.ts`);
  return Object.entries(sections).map(([name, section]) => {
    const catalogue: unknown = (module as Record<string, unknown>)[name];
    assert.ok(isCatalogue(catalogue), `${file}: ${name} is not a catalogue (an object of texts)`);
    return { file, name, catalogue, reader: section.reader, where: section.where, samples: section.samples ?? {} };
  });
}

const driver = { fullName: 'Rui Manuel Almeida', nif: '123456789', phone: '+351912345678', email: 'rui.almeida@exemplo.pt', address: 'Rua das Flores, 12, 3.º Esq.', postalCode: '4050-262', city: 'Porto' };
const reviewLink = 'https://revisao.leguasfranzinas.pt/console/registrations/0b6f3c1e-6a57-4d4f-9a3e-2f1c5d7e8a90';
const licence = documents.documentLabels.licence_front;
const proof = documents.documentLabels.proof_of_address;

const catalogues: Listed[] = [
  ...listed('registration.ts', registration, {
    correctionItemLabels: { reader: 'driver', where: 'WhatsApp, in the correction request; also in the intake\'s "iguais aos anteriores" refusal and in agents\' notes' },
    decisionMessages: {
      reader: 'driver', where: 'WhatsApp, when a reviewer decides (in the chat the registration came from, else to the form\'s phone)',
      samples: {
        approved: [[driver.fullName]],
        rejected: [[driver.fullName, 'A carta de condução apresentada está caducada.'], [driver.fullName, 'Carta de condução caducada']],
        correctionRequested: [
          [driver.fullName, ['licence_back', 'proof_of_address'], 'O comprovativo de morada tem mais de 3 meses.'],
          [driver.fullName, ['nif'], ''],
          [driver.fullName, ['postal_code'], 'O código postal não corresponde à morada.', { code: 'K7QF-3MZP', validDays: 14 }],
          [driver.fullName, ['licence_back', 'postal_code'], 'A fotografia do verso está desfocada.', { code: 'K7QF-3MZP', validDays: 14 }, { inChat: true }],
          [driver.fullName, ['proof_of_address'], '', { code: 'K7QF-3MZP', validDays: 1 }, { formUrl: 'https://bot.leguasfranzinas.pt/cadastro-motorista' }],
        ],
      },
    },
    erasureMessages: { reader: 'driver', where: 'WhatsApp, once an operator erased the driver\'s data at their request', samples: { erased: [[driver.fullName]] } },
    reviewerMessages: {
      reader: 'reviewer', where: 'the reviewers\' WhatsApp number (the reminder), and the review API (a stored document that is gone)',
      samples: { reminder: [['0b6f3c1e-6a57-4d4f-9a3e-2f1c5d7e8a90', 24, reviewLink]] },
    },
  }),
  ...listed('intake.ts', intake, {
    fieldLabels: { reader: 'driver', where: 'the registration form (Typebot), inside "Há 3 campos por corrigir: …"' },
    nameErrors: { reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the full name', samples: { tooLong: [[120]] } },
    nifErrors: { reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the NIF' },
    phoneErrors: { reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the phone number' },
    emailErrors: { reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the email', samples: { tooLong: [[254]] } },
    freeTextErrors: {
      reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the address or the city',
      samples: { missing: [['morada']], forbiddenCharacters: [['cidade']], tooLong: [['morada', 200]] },
    },
    postalCodeErrors: { reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the postal code' },
    submissionErrors: {
      reader: 'driver', where: 'the registration form (Typebot), when the intake refuses the submission as a whole',
      samples: {
        fieldsToFix: [[['NIF', 'código postal', 'comprovativo de morada'], intake.nifErrors.format]],
        repeatedField: [['nif']],
        unchanged: [[['licence_back']]],
      },
    },
    correctionDialogue: {
      reader: 'driver', where: 'the registration form (Typebot), opening a correction a reviewer asked for (in the chat, or by the link)',
      samples: { opening: [[['licence_back', 'postal_code'], null], [['proof_of_address'], 'O comprovativo tem mais de 3 meses.']] },
    },
    answerCheckErrors: { reader: 'driver', where: 'the registration form (Typebot), when an answer is checked for a field the form does not have' },
    requestErrors: { reader: 'driver', where: 'the registration form (Typebot), when the HTTP request itself is refused or fails on our side' },
  }),
  ...listed('documents.ts', documents, {
    documentLabels: { reader: 'driver', where: 'the registration form (Typebot), inside every document refusal' },
    documentSourceErrors: {
      reader: 'driver', where: 'the registration form (Typebot), when a document\'s answer is missing or not a file',
      samples: { missing: [[licence]], invalid: [[licence]], notHttp: [[proof]] },
    },
    documentDownloadErrors: {
      reader: 'driver', where: 'the registration form (Typebot), when a document\'s link cannot be fetched',
      samples: { addressNotAllowed: [[licence]], originNotAllowed: [[licence]], downloadFailed: [[licence]], tooManyRedirects: [[licence]], tooSlow: [[licence]] },
    },
    documentContentErrors: {
      reader: 'driver', where: 'the registration form (Typebot), when a document\'s content is refused',
      samples: {
        tooLarge: [[licence, 15.4 * 1024 * 1024, 10 * 1024 * 1024]],
        empty: [[licence]],
        unsupportedType: [[licence]],
        typeMismatch: [[proof, 'application/pdf', 'image/png']],
        notAnImage: [[licence]],
        tooManyPixels: [[licence, 40_000_000]],
        notAPdf: [[proof]],
        pdfWithoutPages: [[proof]],
        tooComplex: [[proof]],
        checkTimedOut: [[licence]],
      },
    },
  }),
  ...listed('bot.ts', bot, {
    botLines: { reader: 'driver', where: 'WhatsApp, the registration bot on its own (a quiet driver, "atendente", an expired session)' },
    botPrompts: { reader: 'driver', where: 'WhatsApp, added by the bot to a Typebot question (several choices; a file question without text)' },
    typebotRetries: { reader: 'driver', where: 'WhatsApp, in place of Typebot\'s English retry messages' },
  }),
  ...listed('agents.ts', agents, {
    agentNotes: {
      reader: 'agent', where: 'Chatwoot, private notes in the driver\'s conversation',
      samples: {
        registrationReceived: [[driver.fullName, reviewLink]],
        registrationApproved: [['ana', reviewLink], [null, reviewLink]],
        registrationRejected: [['ana', 'A carta de condução apresentada está caducada.', reviewLink], ['ana', 'Carta de condução caducada', reviewLink]],
        correctionRequested: [['ana', ['licence_back', 'proof_of_address'], reviewLink]],
        botHandedOver: [[]],
        mediaUndecryptable: [[]],
        fileTooLarge: [['23,4', 16]],
        executableRefused: [['application/x-msdownload']],
        replyNotDelivered: [['O número 351912345678 não existe.']],
        driverDeleted: [[]],
        replyNotDeletable: [[48]],
      },
    },
    agentRenderings: {
      reader: 'agent', where: 'Chatwoot, WhatsApp messages without text and the bot\'s messages, as they read in the conversation',
      samples: {
        location: [['Armazém Léguas Franzinas', 41.1579, -8.6291], [null, 41.1579, -8.6291]],
        contactCard: [['Ana Sousa', ['+351912345678']], [null, []]],
        botMessage: [['Qual é o seu NIF (número de identificação fiscal)? Tem 9 dígitos.']],
        botMedia: [['Exemplo de fotografia nítida', 'image', 'https://typebot.leguasfranzinas.pt/files/exemplo.jpg'], [null, 'file', 'https://typebot.leguasfranzinas.pt/files/guia.pdf']],
        groupMessage: [['Rui', '351912345678', 'Bom dia a todos'], [null, '351912345678', null]],
        groupContactName: [['120363012345678901@g.us']],
        reaction: [['👍'], ['']],
        choice: [['Sim, quero continuar'], [null]],
        poll: [['Que dia prefere?'], [null]],
        deletedBeforeRelay: [[]],
        notDecrypted: [[]],
        unreadable: [['call_log']],
      },
    },
    historyNotes: {
      reader: 'agent', where: 'Chatwoot, the driver\'s conversation: a history import\'s private notes, and each imported message\'s first line',
      samples: {
        started: [[500, '01/12/2026', '06/12/2026'], [1, '06/12/2026', '06/12/2026']],
        progress: [[100, 500]],
        finished: [[500, '01/12/2026', '06/12/2026'], [1, '06/12/2026', '06/12/2026']],
        importedMessage: [['05/12/2026, 14:03', false, 'Bom dia, a que horas abre o armazém?'], ['05/12/2026, 14:10', true, 'Abre às 8h.'], ['05/12/2026, 14:12', false, null]],
      },
    },
    sessionStateLabels: { reader: 'agent', where: 'Chatwoot, the operations conversation: the WhatsApp session\'s state, inside its notes' },
    operationsNotes: {
      reader: 'agent', where: 'Chatwoot, the operations conversation (CHATWOOT_OPERATIONS_CONVERSATION): the WhatsApp session went down, its QR code, it is back',
      samples: {
        sessionDown: [[agents.sessionStateLabels.QRCODE, '14:05', 3], [agents.sessionStateLabels.PHONE_OFFLINE, '09:12', 0]],
        qrCode: [['14:06']],
        sessionBack: [['14:20', 15, 3], ['09:13', 0, 0], ['10:00', 1, 1]],
      },
    },
  }),  ...listed('console.ts', consoleTexts, {
    consoleStatusLabels: { reader: 'reviewer', where: 'the reviewer console (/console): a registration\'s status, in the queue\'s tabs and rows' },
    consoleItemLabels: { reader: 'reviewer', where: 'the reviewer console: the boxes ticked for a correction' },
    consoleFieldLabels: { reader: 'reviewer', where: 'the reviewer console: a registration\'s fields, side by side per revision' },
    consoleDocumentLabels: { reader: 'reviewer', where: 'the reviewer console: a registration\'s documents' },
    consoleRejectionReasons: { reader: 'reviewer', where: 'the reviewer console: the ready reasons for a rejection (the driver reads the one chosen, in the rejection message)' },
    consoleNav: { reader: 'reviewer', where: 'the reviewer console: its header and navigation' },
    consoleRoles: { reader: 'reviewer', where: 'the reviewer console: who is signed in, and the accounts page' },
    consoleSignIn: { reader: 'reviewer', where: 'the reviewer console: the sign-in page', samples: { tooMany: [[1], [15]] } },
    consoleQueue: {
      reader: 'reviewer', where: 'the reviewer console: the queue of registrations',
      samples: { shown: [[1, 25, 132]], nameScanCapped: [[5000]], waited: [[0], [30], [53]] },
    },
    consoleRegistration: {
      reader: 'reviewer', where: 'the reviewer console: a registration\'s page',
      samples: { revision: [[2]], decidedBy: [['ana', '06/12/2026, 14:05']] },
    },
    consoleDecisions: {
      reader: 'reviewer', where: 'the reviewer console: the decision forms, their preview and their outcome',
      samples: { alreadyDecided: [['rui', '06/12/2026, 14:05', 'Aprovado']] },
    },
    consoleTimeline: { reader: 'reviewer', where: 'the reviewer console: a registration\'s timeline', samples: { reminder: [[1]], by: [['ana']] } },
    consoleDeliveryStates: { reader: 'reviewer', where: 'the reviewer console: a WhatsApp message to the driver, in the timeline' },
    consoleOperator: {
      reader: 'reviewer', where: 'the reviewer console, operators\' pages: export, erasure, the audit log, the accounts',
      samples: { erased: [[1, 2], [2, 1]] },
    },
    consoleErrors: { reader: 'reviewer', where: 'the reviewer console: a page that could not be shown' },
    consoleAuditOutcomes: { reader: 'reviewer', where: 'the reviewer console, operators\' audit log: each row\'s outcome' },
  }),
];

// ---- Rendering -------------------------------------------------------------------------------------

interface Rendering { label: string; text: string }
const call = (name: string, args: readonly unknown[]) => `${name}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;

function render(entry: Listed): Array<{ key: string; renderings: Rendering[] }> {
  return Object.entries(entry.catalogue).map(([key, value]) => {
    const where = `${entry.file}: ${entry.name}.${key}`;
    if (typeof value === 'string') return { key, renderings: [{ label: key, text: value }] };
    assert.equal(typeof value, 'function', `${where} is neither a string nor a function`);
    const samples = entry.samples[key];
    assert.ok(samples !== undefined && samples.length > 0, `${where} has no sample values in test/unit/texts.test.ts: add some, then ${regenerate}`);
    return {
      key,
      renderings: samples.map((args) => {
        const text: unknown = (value as (...args: unknown[]) => unknown)(...args);
        assert.equal(typeof text, 'string', `${call(where, args)} did not return a string`);
        return { label: call(key, args), text: text as string };
      }),
    };
  });
}

const readers: Array<[Reader, string]> = [
  ['driver', 'Drivers (motoristas)'],
  ['reviewer', 'Reviewers (office staff)'],
  ['agent', 'Agents (Chatwoot inbox)'],
];

const flow = JSON.parse(readFileSync(flowPath, 'utf8')) as TypebotFlow;
/** Each string of a value with its path: `{ success: { single: "x" } }` → `success.single`. */
const pathsIn = (node: unknown, path: string): Array<[string, string]> =>
  typeof node === 'string' ? [[path, node]]
    : typeof node === 'object' && node !== null ? Object.entries(node).flatMap(([key, child]) => pathsIn(child, path === '' ? key : `${path}.${key}`)) : [];

/** What the driver reads of one block of the flow: its bubble's paragraphs, choices, retry message and input labels. */
function flowTexts(block: TypebotBlock): Rendering[] {
  const bubble = plainText(block.content?.richText).join('\n');
  return [
    ...(bubble === '' ? [] : [{ label: block.id, text: bubble }]),
    ...(block.items ?? []).flatMap((item) => (typeof item.content === 'string' ? [{ label: `${block.id} choice`, text: item.content }] : [])),
    ...(block.options?.retryMessageContent === undefined ? [] : [{ label: `${block.id} retry`, text: block.options.retryMessageContent }]),
    ...pathsIn(block.options?.labels, '').map(([path, text]) => ({ label: `${block.id} ${path}`, text })),
  ];
}

const fence = (text: string) => ['```text', text, '```'];
/** Short one-line texts with nothing Markdown would read as markup go in a table; anything else is fenced as is. */
const fitsTable = (renderings: Rendering[]) => renderings.every(({ label, text }) => text.length <= 160 && !/[\n*_`<>[\]\\|]/.test(text) && !/[`|]/.test(label));

function listing(renderings: Rendering[]): string[] {
  if (fitsTable(renderings)) return ['', '| Entry | Text |', '| --- | --- |', ...renderings.map(({ label, text }) => `| \`${label}\` | ${text} |`)];
  return renderings.flatMap(({ label, text }) => ['', `\`${label}\``, '', ...fence(text)]);
}

function markdown(): string {
  const lines = [
    '# Texts people read',
    '',
    '<!-- Generated by test/unit/texts.test.ts from domain/texts/ and docs/typebot-flows/cadastro-motorista.json: do not edit. -->',
    `<!-- Regenerate: ${regenerate} -->`,
    '',
    'Every European Portuguese text the system writes for drivers, reviewers and agents, as they read it.',
    'Functions are shown with sample values. The catalogues are in `domain/texts/` (see its README);',
    'the registration flow\'s own texts, at the end, are Typebot content.',
  ];
  for (const [reader, title] of readers) {
    lines.push('', `## ${title}`);
    for (const entry of catalogues.filter((candidate) => candidate.reader === reader)) {
      lines.push('', `### \`${entry.file}\` — \`${entry.name}\``, '', `Where: ${entry.where}.`);
      lines.push(...listing(render(entry).flatMap((rendered) => rendered.renderings)));
    }
  }
  lines.push('', '## Drivers, in the Typebot flow', '', 'Where: the registration form (`docs/typebot-flows/cadastro-motorista.json`), by group and block.');
  for (const group of flow.groups) {
    const said = group.blocks.flatMap(flowTexts);
    if (said.length > 0) lines.push('', `### ${group.title}`, ...listing(said));
  }
  return `${lines.join('\n')}\n`;
}

// ---- The vocabulary rules ---------------------------------------------------------------------------

const allRendered = () => catalogues.flatMap((entry) => render(entry).flatMap(({ key, renderings }) =>
  renderings.map(({ text }) => ({ where: `${entry.file}: ${entry.name}.${key}`, reader: entry.reader, text }))));
const allFlowTexts = () => flow.groups.flatMap((group) => group.blocks.flatMap(flowTexts)).map(({ label, text }) => ({ where: `flow: ${label}`, text }));

const word = (pattern: string) => new RegExp(`(?<!\\p{L})(?:${pattern})(?!\\p{L})`, 'iu');
const notCondutor = word('condutor(?:a|es|as)?');
/** Said of the driver, these assume a man (or a woman); the company speaking of itself ("Obrigado") may. */
const gendered = word('bem-vind[oa]s?|(?:contactá|avisá|informá|ajudá|esperá)-l[oa]s?|(?:avisad|informad|contactad|convidad)[oa]s?|car[oa] motorista');
const emptyGreeting = /Olá\s*,\s*[!.?,]/u;

void describe('texts people read (domain/texts)', () => {
  void it('lists every catalogue file, every catalogue and every function with samples', () => {
    const files = readdirSync(textsDir).filter((name) => extname(name) === '.ts').sort();
    assert.deepEqual([...new Set(catalogues.map((entry) => entry.file))].sort(), files,
      'every file in domain/texts is imported and described in test/unit/texts.test.ts');
    for (const entry of catalogues) {
      const keys = render(entry).map(({ key }) => key);
      const stale = Object.keys(entry.samples).filter((key) => !keys.includes(key) || typeof entry.catalogue[key] !== 'function');
      assert.deepEqual(stale, [], `${entry.file}: ${entry.name} has samples for entries that are not functions`);
    }
  });

  void it('renders every entry as non-empty text, with no hole where a value should be and no stray punctuation', () => {
    for (const { where, text } of allRendered()) {
      assert.notEqual(text.trim(), '', `${where} is empty`);
      assert.equal(text, text.trim(), `${where} starts or ends with blank space`);
      assert.doesNotMatch(text, /\b(?:undefined|null|NaN)\b|\[object /, `${where}: ${text}`);
      assert.doesNotMatch(text, /(?<!\.)\.\.(?!\.)|\s[.,;:!?]/u, `${where}: a doubled full stop or a space before punctuation: ${text}`);
    }
  });

  void it(`keeps docs/texts.md up to date (regenerate: ${regenerate})`, () => {
    const expected = markdown();
    if (process.env.UPDATE_TEXTS === '1') writeFileSync(docPath, expected);
    let current = '';
    try { current = readFileSync(docPath, 'utf8'); } catch { /* compared as empty */ }
    if (current === expected) return;
    const [ours, theirs] = [expected.split('\n'), current.split('\n')];
    const line = Array.from({ length: Math.max(ours.length, theirs.length) }, (_, index) => index).find((index) => ours[index] !== theirs[index]) ?? 0;
    assert.fail(`docs/texts.md is not what domain/texts and the flow say: line ${line + 1} should be ${JSON.stringify(ours[line] ?? '(end of file)')}, ` +
      `is ${JSON.stringify(theirs[line] ?? '(end of file)')}. Regenerate it with ${regenerate}, read the diff and commit it.`);
  });

  void it('says "motorista", never "condutor", in the texts, the flow and the whole tree', () => {
    for (const { where, text } of [...allRendered(), ...allFlowTexts()]) assert.doesNotMatch(text, notCondutor, where);
    // Where the rule is written down, the word is named.
    const rulebooks = new Set([fileURLToPath(import.meta.url), join(textsDir, 'README.md')]);
    const skipped = new Set(['node_modules', '.git', 'data', 'dist', 'coverage']);
    const textFile = /\.(?:ts|js|json|md|sql|ya?ml|txt|example)$|^Dockerfile$/;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!skipped.has(entry.name)) walk(path);
        } else if (entry.isFile() && textFile.test(entry.name) && !rulebooks.has(path) && notCondutor.test(readFileSync(path, 'utf8'))) {
          offenders.push(relative(repoRoot, path));
        }
      }
    };
    walk(repoRoot);
    assert.deepEqual(offenders, []);
  });

  void it('greets nobody with "Olá, !" and assumes no gender of the driver', () => {
    for (const { where, text } of [...allRendered(), ...allFlowTexts()]) {
      assert.doesNotMatch(text, emptyGreeting, where);
      assert.doesNotMatch(text, gendered, `${where}: ${text}`);
    }
    // The rules bite: the wording this project had before.
    assert.match('Bem-vindo à equipa! Vamos contactá-lo em breve com os próximos passos.', gendered);
    assert.match('O motorista foi avisado no WhatsApp.', gendered);
    assert.match('Olá, !', emptyGreeting);
    assert.match('Registo de Condutor', notCondutor);
    assert.doesNotMatch('Obrigado pelo interesse; carta de condução; conduzir', gendered);
    assert.doesNotMatch('carta de condução; conduzir', notCondutor);
  });
});
