/**
 * The sandbox page's live updates: a server-sent event stream (`event: change`) whenever what the
 * page shows changed. The simulators announce no changes of their own, so while a page watches, the
 * feed compares a fingerprint of their state every `intervalMs`: changes in between (a message,
 * its acks, the bridge's delivery statuses) arrive as one event, and the page then reads the views.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export class ChangeFeed {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private version = 0;
  private ticks = 0;

  constructor(
    private readonly fingerprint: () => string,
    private readonly intervalMs = 250,
    /** A comment line this often keeps the connection from looking idle. */
    private readonly keepAliveMs = 15_000,
  ) {}

  /** Takes the request's connection over as an event stream, until the page leaves or the feed closes. */
  open(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    if (this.streams.size === 0) this.last = this.fingerprint();
    // Reconnect a second after a drop; then the current version, so the page draws at once.
    stream.write(`retry: 1000\n\n${this.event()}`);
    this.streams.add(stream);
    request.raw.once('close', () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopWatching();
    });
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    this.stopWatching();
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private tick(): void {
    this.ticks += 1;
    const now = this.fingerprint();
    const changed = now !== this.last;
    if (changed) {
      this.last = now;
      this.version += 1;
    }
    const keepAlive = this.ticks % Math.max(1, Math.round(this.keepAliveMs / this.intervalMs)) === 0;
    if (!changed && !keepAlive) return;
    for (const stream of this.streams) stream.write(changed ? this.event() : ': keep-alive\n\n');
  }

  private event(): string {
    return `event: change\ndata: ${this.version}\n\n`;
  }

  private stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
