/**
 * The layers, from the code. dependency-cruiser reads every import once (.dependency-cruiser.cjs:
 * the folders' "may import" rules and no cycles), then:
 *
 * - `npm run architecture` draws the product's folders (activities' and integrations' subfolders
 *   on their own) and who imports whom as a Mermaid diagram into README.md, between the layers
 *   markers;
 * - `npm run architecture -- --check` (run by `npm run lint`) fails on any rule violation, naming
 *   the rule, and when README.md's diagram is not the one the code draws.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/** The product, from the top down: the order of the diagram's nodes and edges. */
const layers = ['app', 'api', 'workers', 'workflows', 'activities', 'integrations', 'platform', 'domain'];
/** Folders whose subfolders are nodes of their own. */
const split = new Set(['activities', 'integrations']);
/** Cruised for the rules (no cycles in test/ either) but left out of the diagram: they may import anything. */
const drivers = ['scripts', 'test', 'bench'];

const start = '<!-- layers:start -->';
const end = '<!-- layers:end -->';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const check = process.argv.includes('--check');

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const tsConfig = extractTSConfig('./tsconfig.json');
const cruised = await cruise([...layers, ...drivers], { ...options, validate: check }, {}, { tsConfig });
const result = cruised.output as ICruiseResult;

const diagram = drawLayers(result);
const readme = await readFile('README.md', 'utf8');
const [before, inside, after] = splitReadme(readme);

if (!check) {
  if (inside !== diagram) await writeFile('README.md', `${before}${diagram}${after}`);
  console.log(inside === diagram ? 'README.md: the layers diagram is up to date.' : 'README.md: layers diagram written.');
} else {
  const broken = reportViolations(result);
  const drift = inside !== diagram;
  if (drift) {
    console.log(`\nREADME.md's layers diagram is not the one the code draws (between ${start} and ${end}):`);
    const was = new Set(inside.split('\n'));
    const is = new Set(diagram.split('\n'));
    for (const line of inside.split('\n')) if (!is.has(line)) console.log(`  - ${line}`);
    for (const line of diagram.split('\n')) if (!was.has(line)) console.log(`  + ${line}`);
    console.log('Run `npm run architecture` and commit README.md.');
  }
  if (broken || drift) process.exitCode = 1;
}

/**
 * Each violation once, with the rule's name and what the rule allows; a cycle with its whole path.
 * "(type)" marks an `import type`. True when there was any.
 */
function reportViolations(cruiseResult: ICruiseResult): boolean {
  const rules = new Map((options.ruleSet?.forbidden ?? []).map((rule) => [rule.name, rule.comment]));
  const typeMark = (types: readonly string[]): string => (types.includes('type-only') ? ' (type)' : '');
  const { violations, error, totalCruised, totalDependenciesCruised } = cruiseResult.summary;
  for (const violation of violations) {
    const path = violation.cycle === undefined
      ? `${violation.from} →${typeMark(violation.dependencyTypes ?? [])} ${violation.to}`
      : [violation.from, ...violation.cycle.map((step) => `→${typeMark(step.dependencyTypes)} ${step.name}`)].join('\n      ');
    console.log(`  ${violation.rule.severity} ${violation.rule.name}: ${path}`);
    console.log(`    ${rules.get(violation.rule.name) ?? ''}\n`);
  }
  const counted = `${totalCruised} modules, ${totalDependenciesCruised} imports (.dependency-cruiser.cjs)`;
  if (violations.length === 0) console.log(`✔ imports follow the layer rules: ${counted}`);
  else console.log(`✘ ${violations.length} import rule violations: ${counted}`);
  return error > 0;
}

/** README.md around and between the markers; the markers themselves stay in `before` and `after`. */
function splitReadme(text: string): [string, string, string] {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`README.md has no ${start} … ${end} block for the layers diagram.`);
    process.exit(1);
  }
  const open = from + start.length;
  return [text.slice(0, open), text.slice(open, to), text.slice(to)];
}

/** The folder a module belongs to in the diagram, or undefined for packages, built-ins and drivers. */
function nodeOf(path: string): string | undefined {
  if (path.startsWith('node_modules/') || !path.includes('/')) return undefined;
  const [top, sub, ...rest] = path.split('/');
  if (top === undefined || drivers.includes(top)) return undefined;
  return split.has(top) && sub !== undefined && rest.length > 0 ? `${top}/${sub}` : top;
}

function rank(node: string): [number, string] {
  const index = layers.indexOf(node.split('/')[0]!);
  return [index < 0 ? layers.length : index, node];
}

function byRank(a: string, b: string): number {
  const [ra, na] = rank(a);
  const [rb, nb] = rank(b);
  return ra - rb || (na < nb ? -1 : na > nb ? 1 : 0);
}

/**
 * Folder to folder edges: solid when some import carries code, dotted when every import between the
 * two folders is `import type`. The block is the text between the markers, newlines included.
 */
function drawLayers(cruiseResult: ICruiseResult): string {
  const edges = new Map<string, { from: string; to: string; typeOnly: boolean }>();
  const nodes = new Set<string>();
  for (const module of cruiseResult.modules) {
    const from = module.coreModule || module.couldNotResolve ? undefined : nodeOf(module.source);
    if (from === undefined) continue;
    nodes.add(from);
    for (const dependency of module.dependencies) {
      if (dependency.coreModule || dependency.couldNotResolve) continue;
      const to = nodeOf(dependency.resolved);
      if (to === undefined || to === from) continue;
      nodes.add(to);
      const key = `${from} ${to}`;
      const typeOnly = dependency.dependencyTypes.includes('type-only');
      const edge = edges.get(key);
      if (edge === undefined) edges.set(key, { from, to, typeOnly });
      else edge.typeOnly &&= typeOnly;
    }
  }

  const id = (node: string): string => node.replaceAll('/', '_').replaceAll('-', '_');
  const lines = ['```mermaid', 'flowchart TD'];
  const ordered = [...nodes].sort(byRank);
  for (const top of new Set(ordered.map((node) => node.split('/')[0]!))) {
    const subfolders = ordered.filter((node) => node.startsWith(`${top}/`));
    if (subfolders.length === 0) {
      lines.push(`  ${id(top)}["${top}/"]`);
      continue;
    }
    lines.push(`  subgraph ${id(top)}_folder["${top}/"]`);
    if (nodes.has(top)) lines.push(`    ${id(top)}["${top}/*.ts"]`);
    for (const sub of subfolders) lines.push(`    ${id(sub)}["${sub.split('/')[1]}/"]`);
    lines.push('  end');
  }
  const sorted = [...edges.values()].sort((a, b) => byRank(a.from, b.from) || byRank(a.to, b.to));
  for (const edge of sorted) lines.push(`  ${id(edge.from)} ${edge.typeOnly ? '-.->' : '-->'} ${id(edge.to)}`);
  lines.push('```');
  return `\n${lines.join('\n')}\n`;
}
