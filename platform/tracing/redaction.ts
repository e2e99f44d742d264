/**
 * What a span may carry when it leaves the process: an allow-list, applied to every span on its way
 * to the exporter (HTTP, Temporal's interceptors, the workflow sandbox's spans), so an attribute an
 * instrumentation adds in a later version stays out until it is listed here. Kept: methods, status
 * codes, route templates, hosts and ports, Temporal's ids and types, exception types. Dropped: URLs
 * (a webhook's token, a chat id or a phone in a WPPConnect path, a search in a query), headers,
 * addresses of clients, user agents, exception messages and stacks, status messages (a failure's
 * message may quote what the driver sent), everything on links. A WhatsApp chat id left in a kept
 * value or a span's name (`351…@c.us`, as the ids of chats started before ids were hashed) is cut.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The attributes a span keeps; the rest are dropped. */
const keptAttributes = new Set([
  // HTTP, in the stable names and the older ones @opentelemetry/instrumentation-http still writes.
  'http.request.method', 'http.response.status_code', 'http.route', 'url.scheme', 'url.template', 'server.address', 'server.port',
  'network.protocol.version', 'error.type',
  'http.method', 'http.status_code', 'http.scheme', 'http.flavor', 'net.host.port', 'net.peer.name', 'net.peer.port',
  // Temporal's interceptors (workflow ids are keyed hashes or registration ids), and the workflow sandbox's sink.
  'temporalWorkflowId', 'run_id', 'temporalActivityId', 'temporalUpdateId',
  'workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace',
  'exception.type',
]);

/** A WhatsApp chat id: a phone (or a group, or a linked id) at WhatsApp's domains. */
const chatAddress = /\d+(?:-\d+)*@(?:c\.us|g\.us|lid|s\.whatsapp\.net)/g;

const scrub = (text: string) => text.replace(chatAddress, '[chat]');

/**
 * The words of the paths the system calls on WPPConnect, Chatwoot and Typebot; any other segment of
 * an outgoing request's path (a session, a secret key, a chat or conversation id, a file's name) is `{}`.
 */
const routeWords = new Set([
  'api', 'v1', 'v3', 'accounts', 'contacts', 'contact', 'contact_inboxes', 'conversations', 'messages', 'labels', 'filter',
  'search', 'toggle_status', 'typebots', 'sessions', 'startChat', 'continueChat', 'generate-upload-url',
  'generate-token', 'send-message', 'send-image', 'send-file-base64', 'send-voice-base64', 'send-seen', 'status-session',
  'check-connection-session', 'all-new-messages', 'get-messages', 'list-chats', 'download-media', 'pn-lid',
  'start-session', 'close-session', 'logout-session', 'qrcode-session',
]);

/** An outgoing request's path as a span may show it: no query, and only the known route words, e.g. `/api/v1/accounts/{}/conversations/{}/messages`. */
export function pathTemplate(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  return bare.split('/').map((segment) => (segment === '' || routeWords.has(segment) ? segment : '{}')).join('/');
}

function keep(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (keptAttributes.has(key) && value !== undefined) kept[key] = scrubValue(value);
  }
  return kept;
}

function scrubValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? scrub(item) : item)) as AttributeValue;
  return value;
}

/** The span as it may leave the process. */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: scrub(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: { code: span.status.code },
    attributes: keep(span.attributes),
    links: span.links.map((link) => ({ context: link.context })),
    events: span.events.map((event) => ({ name: event.name, time: event.time, attributes: keep(event.attributes ?? {}) })),
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Hands `exporter` each span redacted. */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly exporter: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.exporter.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
}
