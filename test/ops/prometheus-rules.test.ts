/**
 * The alert rules in ops/prometheus (issue 15), checked by Prometheus's own promtool: the config and
 * the rules it loads are valid, every rule's unit tests pass, and every rule has tests that see it
 * fire and see it not fire (at its threshold's edge), and a line in the README.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { opsPrometheusDir, projectRules, promtool, prometheusTools } from '../support/prometheus.ts';

interface RulesFile { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string }> }> }
interface RuleTestsFile {
  rule_files: string[];
  tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

const testsDir = path.join(opsPrometheusDir, 'tests');
const testFiles = async () => (await readdir(testsDir)).filter((name) => name.endsWith('.yml')).sort();

describe('Prometheus alert rules (ops/prometheus)', () => {
  it('has a valid config whose rule_files load every rules file', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    // On a copy with a stand-in token file: the real one is written where Prometheus runs, never committed.
    const copy = await mkdtemp(path.join(os.tmpdir(), 'ops-prometheus-'));
    t.after(() => rm(copy, { recursive: true, force: true }));
    await cp(opsPrometheusDir, copy, { recursive: true });
    await writeFile(path.join(copy, 'metrics-token'), 'stand-in-token-for-the-check');
    const checked = await promtool(tools, ['check', 'config', 'prometheus.yml'], copy);
    assert.equal(checked.code, 0, checked.output);
    const rulesFiles = (await projectRules()).size;
    assert.ok(rulesFiles > 0, 'rules files in ops/prometheus/rules');
    assert.match(checked.output, new RegExp(`SUCCESS: ${rulesFiles} rule files found`), checked.output);
  });

  it('passes every rule unit test file (promtool test rules)', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const files = await testFiles();
    assert.ok(files.length > 0, 'unit test files in ops/prometheus/tests');
    for (const file of files) {
      const result = await promtool(tools, ['test', 'rules', file], testsDir);
      assert.equal(result.code, 0, `${file}:\n${result.output}`);
      assert.match(result.output, /SUCCESS/, `${file}:\n${result.output}`);
    }
  });

  it('tests every rule firing and not firing, each loading the rule\'s own file, and lists it in the README', async () => {
    const defined = new Map<string, string>();
    for (const [file, text] of await projectRules()) {
      for (const group of (parse(text) as RulesFile).groups) {
        for (const rule of group.rules) {
          assert.ok(rule.alert !== undefined, `${file}: only alerting rules are tested here (${rule.record ?? '?'})`);
          defined.set(rule.alert, file);
        }
      }
    }
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const file of await testFiles()) {
      const tests = parse(await readFile(path.join(testsDir, file), 'utf8')) as RuleTestsFile;
      const loaded = new Set(tests.rule_files.map((rules) => path.basename(rules)));
      for (const test of tests.tests) {
        for (const check of test.alert_rule_test ?? []) {
          const rulesFile = defined.get(check.alertname);
          assert.ok(rulesFile !== undefined, `${file} (${test.name ?? 'unnamed'}) tests ${check.alertname}, which no rules file defines`);
          assert.ok(loaded.has(rulesFile), `${file} tests ${check.alertname} without loading ${rulesFile}`);
          ((check.exp_alerts ?? []).length > 0 ? fires : quiet).add(check.alertname);
        }
      }
    }
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const alert of defined.keys()) {
      assert.ok(fires.has(alert), `no unit test sees ${alert} fire`);
      assert.ok(quiet.has(alert), `no unit test sees ${alert} not fire`);
      assert.ok(new RegExp(`\\b${alert}\\b`).test(readme), `README.md does not list ${alert}`);
    }
  });
});
