/**
 * The Grafana dashboards (ops/grafana, issue 15) as Grafana provisions them: the four the operations
 * manual names, each choosing its Prometheus through a `datasource` variable, panels that fit the
 * grid, and every query valid PromQL (parsed by promtool as a recording rule). Whether each query
 * returns data from a running system is test/e2e/monitoring.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { dashboardQueries, projectDashboards } from '../support/grafana.ts';
import { promtool, prometheusTools } from '../support/prometheus.ts';

describe('Grafana dashboards (ops/grafana)', () => {
  it('has the overview, performance, errors and business dashboards, each on the datasource variable, with panels that fit', async () => {
    const dashboards = [...(await projectDashboards()).values()];
    assert.deepEqual(dashboards.map((dashboard) => dashboard.title).sort(), ['Desempenho', 'Erros', 'Negócio', 'Visão geral']);
    assert.equal(new Set(dashboards.map((dashboard) => dashboard.uid)).size, 4, 'distinct uids');
    for (const dashboard of dashboards) {
      const variable = dashboard.templating.list.find((entry) => entry.name === 'datasource');
      assert.deepEqual({ type: variable?.type, query: variable?.query }, { type: 'datasource', query: 'prometheus' }, `${dashboard.title}: a Prometheus datasource variable`);
      assert.ok(dashboard.panels.length >= 6, `${dashboard.title}: panels`);
      assert.equal(new Set(dashboard.panels.map((panel) => panel.id)).size, dashboard.panels.length, `${dashboard.title}: panel ids unique`);
      for (const panel of dashboard.panels) {
        const where = `${dashboard.title} / ${panel.title}`;
        assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, where);
        assert.ok(panel.gridPos.x + panel.gridPos.w <= 24 && panel.gridPos.w > 0 && panel.gridPos.h > 0, `${where}: inside the 24-column grid`);
        assert.ok((panel.description ?? '').length > 0, `${where}: says what it shows`);
        assert.ok(panel.targets.length > 0, `${where}: queries`);
        for (const target of panel.targets) assert.deepEqual(target.datasource, panel.datasource, `${where} ${target.refId}`);
      }
    }
  });

  it('puts no id, phone or name in a legend: labels from fixed lists only', async () => {
    const allowed = new Set(['job', 'instance', 'state', 'direction', 'kind', 'reason', 'route', 'status', 'decision', 'reply', 'task_queue', 'worker_type', 'operation', 'workflow_type', 'activity_type']);
    for (const dashboard of (await projectDashboards()).values()) {
      for (const target of dashboard.panels.flatMap((panel) => panel.targets)) {
        for (const [, label] of (target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) assert.ok(allowed.has(label!), `${dashboard.title}: legend label ${label}`);
      }
    }
  });

  it('writes every panel query in valid PromQL (promtool check rules)', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const queries = await dashboardQueries();
    const folder = await mkdtemp(path.join(os.tmpdir(), 'grafana-queries-'));
    t.after(() => rm(folder, { recursive: true, force: true }));
    const rules = { groups: [{ name: 'panels', rules: queries.map((query, index) => ({ record: `panel:query_${index}`, expr: query.expr })) }] };
    await writeFile(path.join(folder, 'panels.yml'), stringify(rules));
    const checked = await promtool(tools, ['check', 'rules', 'panels.yml'], folder);
    assert.equal(checked.code, 0, checked.output);
    assert.match(checked.output, new RegExp(`SUCCESS: ${queries.length} rules found`));
    // The check can fail: a broken query is refused.
    const broken = { groups: [{ name: 'panels', rules: [{ record: 'panel:broken', expr: 'sum by (job (up)' }] }] };
    await writeFile(path.join(folder, 'broken.yml'), stringify(broken));
    assert.notEqual((await promtool(tools, ['check', 'rules', 'broken.yml'], folder)).code, 0);
  });
});
