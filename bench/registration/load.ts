/**
 * The measured parts: a burst of registrations posted over real HTTP, `concurrency` at a time,
 * while PostgreSQL is polled until every one of them has reached pending_approval; and a steady
 * stream, one started every 1/rate seconds whatever the ones before are doing (open loop).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DocumentSet } from './bench-documents.ts';
import { documentsOf } from './bench-documents.ts';
import { forEachConcurrently } from '../shared/concurrency.ts';
import { registrationBody } from './registration-payloads.ts';
import type { BenchSettings } from './bench-settings.ts';

export interface LoadOptions {
  apiUrl: string;
  /** Sent as X-Intake-Token, as the Typebot flow does. */
  intakeSecret: string;
  databaseUrl: string;
  documents: DocumentSet;
  registrations: number;
  concurrency: number;
  timeoutMs: number;
  /** Called with each registration id as soon as the API returns it (for cleanup). */
  onRegistered: (registrationId: string) => void;
  /** Rejects when something the run depends on (a child process) goes away. */
  abandoned: Promise<never>;
}

export interface LoadResult {
  /** HTTP answer times, in submission order. */
  intakeMs: number[];
  /** From the first submit to the last registration seen in pending_approval. */
  endToEndMs: number;
  /** From the first submit to the last HTTP answer. */
  submitMs: number;
  registrationIds: string[];
}

/**
 * One POST with node:http, the body written in one piece: fetch (undici) spent about 8 ms of CPU per
 * 5.7 MB body against about 1 ms here, CPU the bench would take from the system it measures.
 */
export function post(url: string, agent: http.Agent, body: Buffer, intakeSecret: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-intake-token': intakeSecret } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const intakeMs: number[] = new Array<number>(options.registrations);
  const registrationIds: string[] = new Array<string>(options.registrations);
  const url = `${options.apiUrl}/drivers/register-typebot/`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const started = performance.now();
    const failed = new AbortController();
    let submitting = true;
    const submitted = forEachConcurrently(options.registrations, options.concurrency, async (i) => {
      const body = registrationBody(i, documentsOf(options.documents, i));
      const sent = performance.now();
      const { status, text } = await post(url, agent, body, options.intakeSecret);
      intakeMs[i] = performance.now() - sent;
      if (status !== 201) throw new Error(`Registration ${i} answered ${status}: ${text.slice(0, 500)}`);
      const answer = JSON.parse(text) as { registration_id?: unknown };
      if (typeof answer.registration_id !== 'string') throw new Error(`Registration ${i} answered without an id: ${text.slice(0, 500)}`);
      registrationIds[i] = answer.registration_id;
      options.onRegistered(answer.registration_id);
    }, failed.signal).finally(() => {
      submitting = false;
    });
    const submitMs = submitted.then(() => performance.now() - started);

    const deadline = started + options.timeoutMs;
    const allPending = (async () => {
      for (;;) {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM registrations WHERE status = 'pending_approval'");
        const now = performance.now();
        if ((rows[0]?.n ?? 0) >= options.registrations && !submitting) return now - started;
        if (now > deadline) throw new Error(`Only ${rows[0]?.n ?? 0} of ${options.registrations} registrations reached pending_approval in ${options.timeoutMs / 1000} s`);
        await sleep(50);
      }
    })();

    try {
      const [, endToEndMs, submitMsValue] = await Promise.race([Promise.all([submitted, allPending, submitMs]), options.abandoned]);
      return { intakeMs, endToEndMs, submitMs: submitMsValue, registrationIds };
    } catch (error) {
      failed.abort();
      throw error;
    }
  } finally {
    agent.destroy();
    await db.end();
  }
}

/**
 * The bench's load as its settings say (how many, how many at a time, how long at most) on a running
 * API, given up as soon as one of `processes` (the API's and the worker's children) exits.
 */
export function runSettledLoad(
  run: { apiUrl: string; intakeSecret: string; databaseUrl: string; documents: DocumentSet; onRegistered: (registrationId: string) => void },
  settings: Pick<BenchSettings, 'BENCH_REGISTRATIONS' | 'BENCH_CONCURRENCY' | 'BENCH_TIMEOUT_SECONDS'>,
  processes: Array<{ exited: Promise<string> }>,
): Promise<LoadResult> {
  const abandoned = Promise.race(processes.map((child) => child.exited)).then((reason): never => {
    throw new Error(`A child process ended during the run (${reason})`);
  });
  abandoned.catch(() => undefined);
  return runLoad({
    ...run, registrations: settings.BENCH_REGISTRATIONS, concurrency: settings.BENCH_CONCURRENCY, timeoutMs: settings.BENCH_TIMEOUT_SECONDS * 1000, abandoned,
  });
}

/**
 * Open loop: registration `first + i` is posted at `i / perSecond` seconds from the start, whether or
 * not the ones before were answered (a campaign's drivers do not wait for each other). Resolves with
 * each answer's time once all are answered; any answer but 201 fails the run.
 */
export async function runSteadyLoad(
  run: { apiUrl: string; intakeSecret: string; documents: DocumentSet; onRegistered: (registrationId: string) => void },
  steady: { first: number; perSecond: number; seconds: number },
): Promise<{ intakeMs: number[]; registrationIds: string[] }> {
  const count = Math.round(steady.perSecond * steady.seconds);
  const url = `${run.apiUrl}/drivers/register-typebot/`;
  const agent = new http.Agent({ keepAlive: true });
  const started = performance.now();
  try {
    const answers = await Promise.all(Array.from({ length: count }, async (_, i) => {
      await sleep(Math.max(0, started + (i * 1000) / steady.perSecond - performance.now()));
      const body = registrationBody(steady.first + i, documentsOf(run.documents, steady.first + i));
      const sent = performance.now();
      const { status, text } = await post(url, agent, body, run.intakeSecret);
      const ms = performance.now() - sent;
      if (status !== 201) throw new Error(`Steady registration ${i} answered ${status}: ${text.slice(0, 500)}`);
      const id = (JSON.parse(text) as { registration_id: string }).registration_id;
      run.onRegistered(id);
      return { ms, id };
    }));
    return { intakeMs: answers.map((answer) => answer.ms), registrationIds: answers.map((answer) => answer.id) };
  } finally {
    agent.destroy();
  }
}
