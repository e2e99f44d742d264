/**
 * The hardening issue's figure: `/health` answers in under 100 ms while crafted PDFs are checked.
 * Four 8 MB PDFs made of object-stream markers (the shape that once held the event loop for
 * minutes) are posted at once to the API's own process; `/health` is asked one request after
 * another, from a thread of this process, until the last of them is answered.
 */
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { makeObjectStreamFlood } from '../../test/fixtures/documents.ts';
import { documentsOf, type DocumentSet } from './bench-documents.ts';
import { post } from './load.ts';
import { registrationBody } from './registration-payloads.ts';

export interface CraftedPdfsResult {
  healthMs: number[];
  /** The intake's answers, one per crafted file: 422 (refused) or 201 (the one that is a valid if strange PDF). */
  statuses: number[];
}

const eightMb = 8 * 1024 * 1024;

/** Registration numbers far from the load's, so none is a duplicate of a registration already made. */
const firstIndex = 5_000_000;

export async function measureHealthDuringCraftedPdfs(apiUrl: string, intakeSecret: string, documents: DocumentSet): Promise<CraftedPdfsResult> {
  const crafted = [
    makeObjectStreamFlood(eightMb, { streams: 'open' }),
    makeObjectStreamFlood(eightMb, { streams: 'open', pages: 1 }),
    makeObjectStreamFlood(eightMb, { streams: 'closed' }),
    makeObjectStreamFlood(eightMb, { streams: 'closed', pages: 3 }),
  ];
  // Built before the clock starts: the bench measures the API, not itself.
  const bodies = crafted.map((pdf, index) => registrationBody(firstIndex + index, { ...documentsOf(documents, index), proofOfAddress: pdf }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: bodies.length });
  // Asked from a thread of its own, as a load balancer would from elsewhere: sending 44 MB from this
  // thread's event loop would otherwise count in /health's time.
  const prober = new Worker(proberSource, { eval: true, workerData: { healthUrl: `${apiUrl}/health` } });
  try {
    await new Promise((resolve, reject) => prober.once('message', resolve).once('error', reject));
    const healthMs = new Promise<number[]>((resolve, reject) => prober.once('message', resolve).once('error', reject));
    const answers = await Promise.all(bodies.map((body) => post(`${apiUrl}/drivers/register-typebot/`, agent, body, intakeSecret)));
    prober.postMessage('stop');
    return { healthMs: await healthMs, statuses: answers.map((answer) => answer.status) };
  } finally {
    agent.destroy();
    await prober.terminate();
  }
}

/**
 * The prober's thread, in plain JavaScript (a thread started under `tsx`'s CLI has no TypeScript
 * loader): /health asked one request after another until told to stop; its times go back.
 */
const proberSource = `
  const http = require('node:http');
  const { parentPort, workerData } = require('node:worker_threads');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ask = () => new Promise((resolve, reject) => {
    http.get(workerData.healthUrl, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    }).on('error', reject);
  });
  let asking = true;
  parentPort.once('message', () => { asking = false; });
  (async () => {
    parentPort.postMessage('ready');
    const times = [];
    while (asking) {
      const started = performance.now();
      const status = await ask();
      times.push(performance.now() - started);
      if (status !== 200) throw new Error('/health answered ' + status + ' during the crafted PDFs');
    }
    agent.destroy();
    parentPort.postMessage(times);
  })();
`;
