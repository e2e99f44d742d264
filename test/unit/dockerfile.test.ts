import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// No Docker engine runs here: hold the image to what its commands need instead.
const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
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
  const entryPoints = [...new Set([
    ...commands.map(([, service]) => service.command!.at(-1)!),
    (JSON.parse(/^CMD\s+(\[.*\])$/m.exec(dockerfile)![1]!) as string[]).at(-1)!,
  ])];
  // The build stage (up to the second FROM) copies the sources npm run build compiles.
  const buildStage = dockerfile.slice(0, dockerfile.indexOf('\nFROM ', dockerfile.indexOf('FROM ') + 1));
  const copiedForTheBuild = [...buildStage.matchAll(/^COPY\s+(.+)\s+\S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));

  it("installs ffmpeg in the image the worker runs in (agents' recordings become voice notes with it)", () => {
    const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(runStage, /apt-get install -y --no-install-recommends [^\n]*\bffmpeg\b/);
  });

  it('runs the built entry points, with plain node, where compose and the image name them', () => {
    assert.deepEqual(entryPoints.sort(), ['dist/app/api.js', 'dist/app/worker.js']);
    for (const [, service] of commands) assert.equal(service.command![0], 'node');
    assert.match(dockerfile, /^COPY --from=build \/app\/dist \.\/dist$/m);
  });

  for (const entryPoint of entryPoints) {
    const source = entryPoint.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    it(`gives the build every file ${source} imports`, () => {
      const missing = [...importClosure(source)].filter((file) => !copiedForTheBuild.some((copy) => file === copy || file.startsWith(`${copy.replace(/\/$/, '')}/`)));
      assert.deepEqual(missing, []);
    });
  }

  it('gives the build what tsconfig.build.json compiles', () => {
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[]; files: string[] };
    const needed = [...build.include, ...build.files, 'tsconfig.json', 'tsconfig.build.json'];
    const missing = needed.filter((file) => !copiedForTheBuild.some((copy) => file === copy || file.startsWith(`${copy.replace(/\/$/, '')}/`)));
    assert.deepEqual(missing, []);
  });
});
