import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// No Docker engine runs here: hold the image to what its commands need instead.
const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const copied = [...dockerfile.matchAll(/^COPY\s+(.+)\s+\S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: unknown; command?: string[] }>;
};

/** Every project file a script imports, itself included, following relative imports, and the folders it reads by URL (the worker's workflows, the migrations). */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const match of source.matchAll(/(?:from\s*|import\(\s*|new URL\(\s*)'(\.[^']+)'/g)) {
      const target = path.normalize(path.join(path.dirname(file), match[1]!));
      if (!existsSync(path.join(root, target))) continue;
      if (target.endsWith('.ts')) visit(target);
      // A folder read at run time (migrations/): it must be in the image as a whole.
      else seen.add(`${target.replace(/\/$/, '')}/`);
    }
  };
  visit(entry);
  return seen;
}

describe('Dockerfile', () => {
  const commands = Object.entries(compose.services).filter(([, service]) => service.build !== undefined && service.command !== undefined);
  const scripts = [...new Set([
    ...commands.map(([, service]) => service.command!.at(-1)!),
    (JSON.parse(/^CMD\s+(\[.*\])$/m.exec(dockerfile)![1]!) as string[]).at(-1)!,
  ])];

  it('runs the entry points compose and the image name', () => {
    assert.deepEqual(scripts.sort(), ['app/api.ts', 'app/worker.ts']);
  });

  for (const script of scripts) {
    it(`copies every file ${script} imports into the image`, () => {
      const missing = [...importClosure(script)].filter((file) => !copied.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)));
      assert.deepEqual(missing, []);
    });
  }
});
