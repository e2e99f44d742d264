/**
 * `npm run build`: the production JavaScript in dist/, run by plain `node` (no tsx): the TypeScript
 * compiled by tsconfig.build.json (the system, and the operators' commands: migrate, keys,
 * audit-verify, find-chat, accounts, retention, backup, restore, history-import), the files it reads at run time
 * beside it (migrations, the console's views and assets), and the workflow bundles built ahead of
 * time (dist/workflow-bundles/plain.js, and traced.js with the tracing interceptors), so a worker
 * starts without bundling.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[build] ${line}`);

/** Builds into `outDir` (default dist/), replacing what was there. */
export async function build(outDir = path.join(root, 'dist')): Promise<void> {
  const started = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
    .catch((error: Error & { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? error.message}`, { cause: error });
    });
  log(`compiled in ${Date.now() - started} ms`);
  // Outside the project (a test's scratch folder), it still finds the packages and runs as ES modules.
  if (path.relative(root, outDir).startsWith('..')) {
    await symlink(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
    await writeFile(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  }
  for (const folder of ['migrations', 'api/console/views']) await cp(path.join(root, folder), path.join(outDir, folder), { recursive: true });
  for (const asset of ['console.css', 'console.js']) await cp(path.join(root, 'api/console/assets', asset), path.join(outDir, 'api/console/assets', asset));

  await mkdir(path.join(outDir, 'workflow-bundles'));
  const quiet = { info: () => undefined, warn: log, error: log, debug: () => undefined, trace: () => undefined, log: () => undefined };
  const common = { workflowsPath: path.join(outDir, 'workflows/index.js'), failureConverterPath: path.join(outDir, 'platform/crypto/failure-converter.js'), logger: quiet };
  for (const [name, interceptors] of [['plain', []], ['traced', [path.join(outDir, 'workers/workflow-tracing.js')]]] as const) {
    const bundle = await bundleWorkflowCode({ ...common, workflowInterceptorModules: [...interceptors] });
    await writeFile(path.join(outDir, 'workflow-bundles', `${name}.js`), bundle.code);
  }
  log(`dist/ ready in ${Date.now() - started} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build(process.argv[2] === undefined ? undefined : path.resolve(process.argv[2])).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
