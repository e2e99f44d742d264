/**
 * The Grafana dashboards in ops/grafana/dashboards, read as Grafana provisions them: each panel's
 * queries, for the tests that check their shape (test/ops) and run them on a real Prometheus (test/e2e).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardsDir = fileURLToPath(new URL('../../ops/grafana/dashboards/', import.meta.url));

export interface GrafanaTarget { refId: string; expr: string; legendFormat?: string; datasource?: { type: string; uid: string } }
export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: GrafanaTarget[];
}
export interface GrafanaDashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query?: string }> };
  panels: GrafanaPanel[];
}

/** Every dashboard file, by file name. */
export async function projectDashboards(): Promise<Map<string, GrafanaDashboard>> {
  const names = (await readdir(dashboardsDir)).filter((name) => name.endsWith('.json')).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, JSON.parse(await readFile(path.join(dashboardsDir, name), 'utf8')) as GrafanaDashboard] as const)));
}

/** Every panel query of every dashboard, with where it is shown. */
export async function dashboardQueries(): Promise<Array<{ dashboard: string; title: string; refId: string; expr: string }>> {
  return [...(await projectDashboards()).values()].flatMap((dashboard) => dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ dashboard: dashboard.title, title: panel.title, refId: target.refId, expr: target.expr }))));
}
