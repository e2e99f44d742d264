/**
 * The documents for people in docs/operations/ (issue 15) held to the system they describe: every
 * alert rule has its runbook entry, every runbook incident has its five parts, every `npm run`
 * script they mention exists, every relative link (and its anchor) resolves, and the pt-PT prose
 * uses no Brazilian forms.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { projectRules } from '../support/prometheus.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const docsDir = path.join(repoRoot, 'docs/operations');
const runbookPath = path.join(docsDir, 'runbook-incidentes.md');
/** The documents in pt-PT (the folder's README is in English). */
const portugueseDocs = ['manual-de-operacoes.md', 'runbook-incidentes.md', 'faq-motoristas.md'];


/** The five parts of every numbered runbook section, each a paragraph opening with its bold label. */
const runbookParts = ['Sintoma', 'Alerta', 'O que verificar', 'O que fazer', 'Como confirmar'] as const;
const partLine = new RegExp(`^\\*\\*(${runbookParts.join('|')})\\.?\\*\\*`);

const read = (file: string) => readFileSync(file, 'utf8');
const docFiles = () => readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort();

/** The text without fenced code blocks and HTML comments (what renders as prose, headings and links). */
function withoutCode(markdown: string): string {
  let fenced = false;
  const kept: string[] = [];
  for (const line of markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) kept.push(line);
  }
  return kept.join('\n');
}
const withoutInlineCode = (text: string) => text.replace(/`[^`\n]*`/g, '');

/** `##` sections: heading and body, in order (headings inside code blocks are not headings). */
function sections(markdown: string): Array<{ heading: string; body: string[] }> {
  const found: Array<{ heading: string; body: string[] }> = [];
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading !== null) found.push({ heading: heading[1]!.trim(), body: [] });
    else found.at(-1)?.body.push(line);
  }
  return found;
}

/** One part of a runbook section: from its bold label to the next part's. */
function part(body: string[], label: (typeof runbookParts)[number]): string | undefined {
  const start = body.findIndex((line) => partLine.exec(line)?.[1] === label);
  if (start === -1) return undefined;
  const end = body.findIndex((line, index) => index > start && partLine.test(line));
  return body.slice(start, end === -1 ? undefined : end).join('\n');
}

const backticked = (text: string) => [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6} (.+?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

async function ruleAlerts(): Promise<string[]> {
  const alerts: string[] = [];
  for (const text of (await projectRules()).values()) {
    const rules = parse(text) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
    for (const group of rules.groups) for (const rule of group.rules) if (rule.alert !== undefined) alerts.push(rule.alert);
  }
  return alerts;
}

void describe('operations documents (docs/operations)', () => {
  void it('gives every alert rule in ops/prometheus/rules a line in the runbook\'s index and a section whose "Alerta" names it', async () => {
    const alerts = await ruleAlerts();
    assert.ok(alerts.length > 0, 'alert rules in ops/prometheus/rules/*.yml');
    const runbook = sections(read(runbookPath));
    const index = runbook.find((section) => section.heading === 'Índice dos alertas');
    assert.ok(index !== undefined, 'the runbook has an "Índice dos alertas" section');
    const indexed = new Set(index.body.map((line) => /^\| `([A-Za-z0-9_]+)` \|/.exec(line)?.[1]).filter((name): name is string => name !== undefined));
    const named = new Set(runbook.flatMap((section) => backticked(part(section.body, 'Alerta') ?? '')));

    assert.deepEqual(alerts.filter((alert) => !named.has(alert)), [], 'alert rules with no runbook section naming them in its **Alerta.** part');
    assert.deepEqual(alerts.filter((alert) => !indexed.has(alert)), [], 'alert rules missing from the runbook\'s "Índice dos alertas"');
    assert.deepEqual([...indexed].filter((name) => !alerts.includes(name)), [], 'alerts in the runbook\'s index that no rule defines (renamed or removed?)');
  });

  void it('gives every numbered runbook section a symptom, an alert, what to check, what to do and how to confirm', () => {
    const incidents = sections(read(runbookPath)).filter((section) => /^\d+\. /.test(section.heading));
    assert.ok(incidents.length >= 7, 'the runbook\'s numbered incident sections');
    for (const incident of incidents) {
      const missing = runbookParts.filter((label) => (part(incident.body, label) ?? '').replace(partLine, '').trim() === '');
      assert.deepEqual(missing, [], `runbook section "${incident.heading}" lacks these parts`);
    }
  });

  void it('mentions only npm scripts that package.json defines', () => {
    const scripts = Object.keys((JSON.parse(read(path.join(repoRoot, 'package.json'))) as { scripts: Record<string, string> }).scripts);
    const mentioned = new Map<string, string>();
    for (const file of docFiles()) for (const match of read(path.join(docsDir, file)).matchAll(/\bnpm run ([A-Za-z0-9:_.-]+)/g)) mentioned.set(match[1]!, file);
    assert.ok(mentioned.size > 0, 'the documents mention npm scripts');
    assert.deepEqual([...mentioned].filter(([name]) => !scripts.includes(name)).map(([name, file]) => `${file}: npm run ${name}`), [],
      'npm scripts the documents mention that package.json does not define');
  });

  void it('links only to files that exist, and to headings that exist in them', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of docFiles()) {
      const source = path.join(docsDir, file);
      for (const match of withoutInlineCode(withoutCode(read(source))).matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = match[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
        checked += 1;
        const [target = '', anchor] = link.split('#');
        const resolved = target === '' ? source : path.resolve(path.dirname(source), decodeURIComponent(target));
        if (!existsSync(resolved)) {
          broken.push(`${file}: ${link} (no such file)`);
        } else if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchors(read(resolved)).has(decodeURIComponent(anchor))) {
          broken.push(`${file}: ${link} (no such heading in ${path.relative(repoRoot, resolved)})`);
        }
      }
    }
    assert.ok(checked > 0, 'the documents have relative links');
    assert.deepEqual(broken, []);
  });

  void it('writes European Portuguese: no Brazilian forms in the prose, and the FAQ speaks as formally as the bot', () => {
    // Literal names (a Chatwoot label, the Typebot flow's file) are in code spans, which are not checked.
    const brazilian = /(?<!\p{L})(?:tela|telas|usuári[oa]s?|senhas?|cadastr\p{L}*|celular(?:es)?|registr[oa]s?|registrar|arquivos?|contatos?|equipe|aplicativos?|deletar)(?!\p{L})/iu;
    const offenders: string[] = [];
    for (const file of portugueseDocs) {
      withoutInlineCode(withoutCode(read(path.join(docsDir, file)))).split('\n').forEach((line) => {
        for (const match of line.matchAll(new RegExp(brazilian.source, 'giu'))) offenders.push(`${file}: "${match[0]}" in ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, []);
    // domain/texts speak to drivers in the third person ("o seu registo", "Envie…"): neither "tu" nor "você".
    const faq = withoutInlineCode(withoutCode(read(path.join(docsDir, 'faq-motoristas.md'))));
    assert.deepEqual([...faq.matchAll(/(?<!\p{L})(?:você|tu|teu|tua|teus|tuas|contigo)(?!\p{L})|-te(?!\p{L})/giu)].map((match) => match[0]), []);
    // The rules bite.
    assert.match('O usuário escolhe a senha na tela de cadastro.', brazilian);
  });
});
