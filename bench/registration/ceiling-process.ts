/**
 * The sharp ceiling: the image work alone, on the very documents the registrations sent, in a
 * process started like the worker (same flags, same UV_THREADPOOL_SIZE and sharp settings).
 * Each registration inspects its three documents together, as the intake does, then processes
 * them one by one, as the prepareDocuments activity does; registrations run 20 at a time.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../platform/config.ts';
import { inspectDocument, type DocumentLimits } from '../../platform/documents/inspect-document.ts';
import { processDocument } from '../../platform/documents/process-document.ts';
import { makeDecompressionBombPng } from '../../test/fixtures/documents.ts';
import { documentsOf, readDocumentSet } from './bench-documents.ts';
import { report, requiredEnv, runChild, stopWhenAsked } from '../shared/child-side.ts';
import { forEachConcurrently } from '../shared/concurrency.ts';
import { applyImageWorkSettings } from '../shared/image-work.ts';
import { loadBenchSettings } from './bench-settings.ts';
import type { CeilingMessage } from './ceiling-message.ts';

runChild(async () => {
  stopWhenAsked(async () => undefined);
  const imageWork = applyImageWorkSettings();
  const config = loadConfig(process.env);
  const settings = loadBenchSettings(process.env);
  const set = await readDocumentSet(requiredEnv('BENCH_DOCUMENTS_DIR'), { photos: settings.BENCH_DISTINCT_PHOTOS, pdfs: settings.BENCH_DISTINCT_PDFS });
  const limits: DocumentLimits = { maxBytes: config.DOCUMENT_MAX_MB, maxPixels: Math.round(config.DOCUMENT_MAX_MEGAPIXELS * 1_000_000) };

  const registrations = settings.BENCH_REGISTRATIONS;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await forEachConcurrently(registrations, settings.BENCH_CONCURRENCY, async (i) => {
    const documents = documentsOf(set, i);
    const files = [documents.licenceFront, documents.licenceBack, documents.proofOfAddress];
    const inspected = await Promise.all(files.map((bytes, n) => inspectDocument(bytes, `document ${n}`, `field${n}`, limits)));
    for (const [n, bytes] of files.entries()) await processDocument(bytes, inspected[n]!.mime, { maxPixels: limits.maxPixels });
  });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);

  // Latencies the tests used to hold to wall-clock limits: one photo prepared with nothing else
  // running, and a decompression bomb refused from its header.
  const photoMs: number[] = [];
  for (const photo of set.photos) {
    const begun = performance.now();
    const inspected = await inspectDocument(photo, 'photo', 'cnh_frente', limits);
    await processDocument(photo, inspected.mime, { maxPixels: limits.maxPixels });
    photoMs.push(performance.now() - begun);
  }
  const bomb = makeDecompressionBombPng();
  const bombMs: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const begun = performance.now();
    const refused = await inspectDocument(bomb, 'bomb', 'cnh_frente', limits).then(() => false, () => true);
    bombMs.push(performance.now() - begun);
    if (!refused) throw new Error('The decompression bomb was accepted');
  }
  report<CeilingMessage>({ type: 'ceiling', registrations, elapsedMs, cpuSeconds: (cpu.user + cpu.system) / 1e6, imageWork, photoMs, bombMs });
});
