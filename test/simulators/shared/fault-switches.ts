/** The fault switches every simulator has: injected failures, slow answers, a crashed server, doubled webhooks. */
export type FaultStatus = 429 | 500 | 502 | 503;

export interface FaultReply {
  contentType: string;
  body: string;
}

export class FaultSwitches {
  /** Every response is delayed by this much; the work is already done, only the answer is late. */
  delayMs = 0;
  /** Connections are destroyed (connection reset), like a crashed server. */
  down = false;
  /** Every webhook is delivered twice. */
  duplicateWebhooks = false;
  private readonly queued: FaultStatus[] = [];

  /** The next `count` API requests answer `status`, with the body the real deployment sends. */
  failNext(count: number, status: FaultStatus): void {
    for (let i = 0; i < count; i++) this.queued.push(status);
  }

  /** The status the current request must fail with, if any. */
  takeFailure(): FaultStatus | undefined {
    return this.queued.shift();
  }
}

/** The reverse proxy's (nginx) page for 502 and 503, the same in front of any of the systems. */
export const nginxPage = (title: string): string =>
  `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
