import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { pathTemplate, RedactingSpanExporter } from '../../platform/tracing/redaction.ts';
import { tracingSettings } from '../../platform/tracing/settings.ts';

const settings = (env: Record<string, string>) => tracingSettings(loadConfig(env), 'leguas-api');

describe('tracing settings (the standard OTEL_* variables)', () => {
  it('is off unless a variable turns it on', () => {
    assert.equal(settings({}), undefined);
    // As compose passes an unset `${VAR:-}`.
    assert.equal(settings({ OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' }), undefined);
  });

  it('exports by OTLP to the endpoint given, the traces endpoint first', () => {
    assert.deepEqual(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }), { serviceName: 'leguas-api', exporter: 'otlp', url: 'http://jaeger:4318/v1/traces' });
    assert.equal(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' })?.url, 'http://tempo:4318/v1/traces');
    assert.deepEqual(settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'leguas-api-2' }), { serviceName: 'leguas-api-2', exporter: 'otlp', url: undefined });
    assert.equal(settings({ OTEL_TRACES_EXPORTER: 'console' })?.exporter, 'console');
  });

  it('stays off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever else is set', () => {
    assert.equal(settings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }), undefined);
    assert.equal(settings({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), undefined);
  });

  it('refuses an exporter or a protocol it does not have, saying which it has', () => {
    assert.throws(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' }), (error: unknown) => error instanceof ConfigError && /otlp, console or none/.test(error.message));
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /only http\/protobuf/);
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT: an http\(s\) URL/);
    assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
  });
});

describe('what a span may carry out of the process', () => {
  it('shows an outgoing path by its route words only: no secret key, chat id, conversation id or query', () => {
    assert.equal(pathTemplate('/api/leguas/THISISMYSECURETOKEN/generate-token'), '/api/{}/{}/generate-token');
    assert.equal(pathTemplate('/api/leguas/get-messages/351912345678@c.us?count=20'), '/api/{}/get-messages/{}');
    assert.equal(pathTemplate('/api/v1/accounts/3/contacts/search?q=%2B351912345678'), '/api/v1/accounts/{}/contacts/search');
    assert.equal(pathTemplate('/rails/active_storage/blobs/redirect/eyJfcmFpbHMi/cartao-joao-silva.jpg'), '/{}/{}/{}/{}/{}/{}');
  });

  it('keeps methods, statuses, routes and Temporal ids; drops URLs, addresses, messages, stacks and link attributes', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new RedactingSpanExporter(memory))] });
    const tracer = provider.getTracer('test');
    const linked = tracer.startSpan('linked');
    linked.end();
    const span = tracer.startSpan('RunWorkflow:conversation', {
      attributes: {
        'http.request.method': 'POST', 'http.response.status_code': 200, 'http.route': '/webhooks/wppconnect/:token', 'server.port': 3000,
        'url.full': 'http://wpp:21465/api/leguas/get-messages/351912345678@c.us', 'http.target': '/webhooks/wppconnect/s3cret-token',
        'net.peer.ip': '10.1.2.3', 'user_agent.original': 'curl', 'temporalWorkflowId': 'whatsapp-chat-351912345678@c.us', 'run_id': 'abc',
        'workflowId': 'whatsapp-chat-351911111111-1612345678@g.us',
      },
      links: [{ context: linked.spanContext(), attributes: { text: 'Olá, sou o Rui' } }],
    });
    span.recordException(new Error('O número 351912345678 não existe'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'O número 351912345678 não existe' });
    span.updateName('HandleSignal:chatEvents for 351912345678@c.us');
    span.end();

    const exported = memory.getFinishedSpans().find((each) => each.spanContext().spanId === span.spanContext().spanId)!;
    await provider.shutdown();
    assert.deepEqual(exported.attributes, {
      'http.request.method': 'POST', 'http.response.status_code': 200, 'http.route': '/webhooks/wppconnect/:token', 'server.port': 3000,
      'temporalWorkflowId': 'whatsapp-chat-[chat]', 'run_id': 'abc', 'workflowId': 'whatsapp-chat-[chat]',
    });
    assert.equal(exported.name, 'HandleSignal:chatEvents for [chat]');
    assert.deepEqual(exported.status, { code: SpanStatusCode.ERROR });
    assert.deepEqual(exported.events.map((event) => [event.name, event.attributes]), [['exception', { 'exception.type': 'Error' }]]);
    assert.deepEqual(exported.links, [{ context: linked.spanContext() }]);
    assert.equal(exported.parentSpanId, undefined);
    assert.equal(exported.spanContext().traceId, span.spanContext().traceId);
    assert.doesNotMatch(JSON.stringify({ ...exported, resource: undefined }), /912345678|Rui|s3cret/);
  });
});
