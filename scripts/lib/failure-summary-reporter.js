/**
 * A second reporter for node's test runner, beside TAP: one entry per failed test (its file, its
 * suites and name, the first lines of its error), which scripts/test.ts prints again at the end of
 * the run: what a CI excerpt keeps, so it names what failed. Suites that failed only because a test inside them did are left out.
 * Plain JavaScript: the runner loads its reporters before `--import tsx` applies.
 */
import path from 'node:path';

const errorLines = 6;

/**
 * @typedef {{ name: string, nesting: number, file?: string, todo?: string | boolean, details: { type?: string, error?: unknown } }} TestData
 * @param {AsyncIterable<{ type: string, data: TestData }>} source
 */
export default async function* failureSummary(source) {
  /** @type {string[]} */
  const open = [];
  for await (const event of source) {
    if (event.type === 'test:start') open[event.data.nesting] = event.data.name;
    // A todo test is expected to fail (the TAP says so); only a real failure is listed.
    if (event.type !== 'test:fail' || event.data.todo !== undefined && event.data.todo !== false || isSuiteFailedBySubtests(event.data)) continue;
    const where = event.data.file === undefined ? '' : `${path.relative(process.cwd(), event.data.file)}: `;
    const title = [...open.slice(0, event.data.nesting), event.data.name].join(' › ');
    // Written as each one fails: with --test-force-exit the run may end before the stream does.
    yield `✗ ${where}${title}\n${indent(describe(event.data.details.error))}\n`;
  }
}

/** @param {TestData} data */
function isSuiteFailedBySubtests(data) {
  const error = /** @type {{ failureType?: string } | undefined} */ (data.details.error);
  return data.details.type === 'suite' && error?.failureType === 'subtestsFailed';
}

/** @param {unknown} error */
function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : error;
  return (cause.stack ?? cause.message).split('\n').slice(0, errorLines).join('\n');
}

/** @param {string} text */
const indent = (text) => text.split('\n').map((line) => `    ${line}`).join('\n');
