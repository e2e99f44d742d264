/**
 * The fault matrix's count: what each phone (or registration) was sent against what arrived, as
 * lost, doubled and out of order, and one JSON line per case on stdout so the figures can be quoted.
 */
export interface Tally {
  sent: number;
  received: number;
  lost: number;
  doubled: number;
  outOfOrder: number;
}

/** `expected` and `arrived` per stream (a phone); items are unique texts within their stream. */
export function tally(expected: ReadonlyMap<string, readonly string[]>, arrived: (stream: string) => readonly string[]): Tally {
  const total: Tally = { sent: 0, received: 0, lost: 0, doubled: 0, outOfOrder: 0 };
  for (const [stream, items] of expected) {
    const got = arrived(stream).filter((item) => items.includes(item));
    total.sent += items.length;
    total.received += got.length;
    const firsts = [...new Set(got)];
    total.lost += items.length - firsts.length;
    total.doubled += got.length - firsts.length;
    // Adjacent inversions among first arrivals: each is a message shown before one sent earlier.
    const positions = firsts.map((item) => items.indexOf(item));
    for (let index = 1; index < positions.length; index++) if (positions[index]! < positions[index - 1]!) total.outOfOrder += 1;
  }
  return total;
}

/** One line per case, e.g. {"faultCase":"chatwoot-down","outageMs":3000,"sent":24,…,"recoveryMs":2310}. */
export function report(faultCase: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ faultCase, ...figures }));
}

/** The outage length: FAULTS_OUTAGE_SECONDS (the soak sets 60), else a few seconds so the matrix fits in `npm test`. */
export const outageMs = () => Number(process.env.FAULTS_OUTAGE_SECONDS ?? '3') * 1000;
