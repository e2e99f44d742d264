import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { apiRoot, continueChatBody, createTypebotClient, startChatBody, uploadForm } from '../../integrations/typebot/client.ts';
import { failureFromResponse, uploadFailure } from '../../integrations/typebot/failures.ts';

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: RequestInit['body'];
}

/** A fetch that records each request and answers with the next canned response. */
function fakeFetch(...answers: Array<{ status: number; body: unknown } | Error>) {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    sent.push({ url: input instanceof Request ? input.url : input.toString(), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no answer left');
    if (answer instanceof Error) throw answer;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(answer.body === undefined ? null : text, { status: answer.status });
  };
  return { sent, fetchImpl };
}

const jsonOf = (sent: Sent | undefined): unknown => (typeof sent?.body === 'string' ? JSON.parse(sent.body) : undefined);

function assertFailure(error: unknown, type: string, retryable = false): true {
  if (retryable) {
    assert.ok(!(error instanceof ApplicationFailure), `expected a plain retryable Error, got ${String(error)}`);
    assert.ok(error instanceof Error);
    return true;
  }
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  assert.equal(error.type, type);
  assert.equal(error.nonRetryable, true);
  return true;
}

const startAnswer = {
  sessionId: 'cm9x1y2z30000abcd',
  resultId: 'cm9x1y2z40001efgh',
  typebot: { id: 'cm9', version: '6.1', theme: {}, settings: {} },
  messages: [
    { id: 'b1', type: 'text', content: { type: 'markdown', markdown: 'Olá **Rui**! Vamos fazer o seu registo.' } },
    { id: 'b2', type: 'image', content: { url: 'https://cdn.example.pt/logo.png' } },
    { id: 'b9', type: 'custom-embed', content: { initFunction: { args: {}, content: '' } } },
  ],
  input: {
    id: 'b3',
    type: 'choice input',
    items: [{ id: 'i1', content: 'Mota', outgoingEdgeId: 'e1' }, { id: 'i2', content: 'Carro' }],
    options: { isMultipleChoice: false, variableId: 'v_veic' },
  },
  clientSideActions: [],
  logs: [],
  progress: 20,
};

void describe('Typebot request bodies', () => {
  void it('puts the API under /api of the viewer URL, once', () => {
    assert.equal(apiRoot('https://bot.example.pt'), 'https://bot.example.pt/api');
    assert.equal(apiRoot('https://bot.example.pt/'), 'https://bot.example.pt/api');
    assert.equal(apiRoot('https://bot.example.pt/api/'), 'https://bot.example.pt/api');
  });

  void it('always asks for Markdown bubbles and sends the first message as text', () => {
    assert.deepEqual(startChatBody({ prefilledVariables: { WhatsApp: '+351912345678' } }), {
      prefilledVariables: { WhatsApp: '+351912345678' },
      textBubbleContentFormat: 'markdown',
    });
    assert.deepEqual(startChatBody({ message: 'Olá' }), { message: { type: 'text', text: 'Olá' }, textBubbleContentFormat: 'markdown' });
  });

  void it('sends a choice reply with its item id as metadata.replyId', () => {
    assert.deepEqual(continueChatBody({ text: 'Carro', replyId: 'i2' }), {
      message: { type: 'text', text: 'Carro', metadata: { replyId: 'i2' } },
      textBubbleContentFormat: 'markdown',
    });
    assert.deepEqual(continueChatBody({ text: 'Rui Almeida' }), { message: { type: 'text', text: 'Rui Almeida' }, textBubbleContentFormat: 'markdown' });
  });

  void it('writes the policy fields first and the file last in the multipart upload', async () => {
    const form = uploadForm({ key: 'public/a.jpg', policy: 'p0l', 'x-amz-signature': 's1g' }, new Uint8Array([1, 2, 3]), 'carta.jpg', 'image/jpeg');
    assert.deepEqual([...form.keys()], ['key', 'policy', 'x-amz-signature', 'file']);
    const body = await new Response(form).text();
    assert.ok(body.indexOf('name="x-amz-signature"') < body.indexOf('name="file"; filename="carta.jpg"'));
    assert.match(body, /Content-Type: image\/jpeg/);
  });
});

void describe('Typebot failures', () => {
  const orpc = (status: number, code: string, message: string) => ({ status, body: { defined: true, code, status, message } });

  void it('sorts a session Typebot no longer knows as TypebotSessionGone', () => {
    assertFailure(failureFromResponse('continueChat', orpc(404, 'NOT_FOUND', 'Session not found.')), ErrorType.TypebotSessionGone);
    assertFailure(
      failureFromResponse('continueChat', orpc(404, 'NOT_FOUND', 'Session expired. You need to start a new session.')),
      ErrorType.TypebotSessionGone,
    );
    assertFailure(failureFromResponse('generate-upload-url', orpc(400, 'BAD_REQUEST', "Can't find session")), ErrorType.TypebotSessionGone);
  });

  void it('retries 408, 429 and 5xx', () => {
    for (const status of [408, 429, 500, 502, 503]) {
      assertFailure(failureFromResponse('continueChat', orpc(status, 'X', 'busy')), '', true);
    }
  });

  void it('does not retry other 4xx, and a 404 that is no session answer is not a gone session', () => {
    assertFailure(failureFromResponse('startChat', orpc(404, 'NOT_FOUND', 'Typebot not found')), ErrorType.ExternalServiceRejected);
    assertFailure(failureFromResponse('continueChat', { status: 404, body: '<html>Not Found</html>' }), ErrorType.ExternalServiceRejected);
    assertFailure(failureFromResponse('continueChat', orpc(403, 'FORBIDDEN', 'Origin not allowed')), ErrorType.ExternalServiceRejected);
    assertFailure(failureFromResponse('continueChat', orpc(400, 'BAD_REQUEST', 'Input validation failed')), ErrorType.ExternalServiceRejected);
  });

  void it('names a refused upload size or type', () => {
    assertFailure(failureFromResponse('generate-upload-url', orpc(400, 'BAD_REQUEST', 'File size exceeds the 10MB limit')), ErrorType.PayloadTooLarge);
    assertFailure(failureFromResponse('generate-upload-url', orpc(400, 'BAD_REQUEST', 'File type image/gif not allowed')), ErrorType.UnsupportedMediaType);
  });

  void it('sorts storage answers to an upload', () => {
    const xml = (code: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>...</Message></Error>`;
    assertFailure(uploadFailure({ status: 400, body: xml('EntityTooLarge') }), ErrorType.PayloadTooLarge);
    assertFailure(uploadFailure({ status: 403, body: xml('AccessDenied') }), ErrorType.ExternalServiceRejected);
    assertFailure(uploadFailure({ status: 503, body: xml('SlowDown') }), '', true);
  });
});

void describe('Typebot client', () => {
  void it('starts a chat on the published bot and parses the turn, dropping what WhatsApp cannot show', async () => {
    const { sent, fetchImpl } = fakeFetch({ status: 200, body: startAnswer });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    const started = await client.startChat({ publicId: 'cadastro-motorista', prefilledVariables: { ContactName: 'Rui' } });

    assert.equal(sent[0]?.url, 'https://bot.example.pt/api/v1/typebots/cadastro-motorista/startChat');
    assert.equal(sent[0]?.method, 'POST');
    assert.equal(sent[0]?.headers.get('content-type'), 'application/json');
    assert.deepEqual(jsonOf(sent[0]), { prefilledVariables: { ContactName: 'Rui' }, textBubbleContentFormat: 'markdown' });
    assert.equal(started.sessionId, 'cm9x1y2z30000abcd');
    assert.equal(started.resultId, 'cm9x1y2z40001efgh');
    assert.deepEqual(started.messages.map((message) => message.type), ['text', 'image']);
    assert.deepEqual(started.input, {
      id: 'b3',
      type: 'choice input',
      items: [{ id: 'i1', content: 'Mota' }, { id: 'i2', content: 'Carro' }],
      options: { isMultipleChoice: false, variableId: 'v_veic' },
    });
  });

  void it('continues a chat and reads a finished flow as input null', async () => {
    const { sent, fetchImpl } = fakeFetch({ status: 200, body: { messages: [{ id: 'b1', type: 'text', content: { type: 'markdown', markdown: 'Obrigado!' } }] } });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt/', fetch: fetchImpl });
    const turn = await client.continueChat('s/1', { text: 'Carro', replyId: 'i2' });

    assert.equal(sent[0]?.url, 'https://bot.example.pt/api/v1/sessions/s%2F1/continueChat');
    assert.deepEqual(jsonOf(sent[0]), { message: { type: 'text', text: 'Carro', metadata: { replyId: 'i2' } }, textBubbleContentFormat: 'markdown' });
    assert.deepEqual(turn, {
      messages: [{ id: 'b1', type: 'text', content: { type: 'markdown', markdown: 'Obrigado!' } }],
      input: null,
      clientSideActions: [],
      logs: [],
    });
  });

  void it('throws TypebotSessionGone when continuing a session Typebot dropped', async () => {
    const { fetchImpl } = fakeFetch({ status: 404, body: { defined: true, code: 'NOT_FOUND', status: 404, message: 'Session not found.' } });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    await assert.rejects(client.continueChat('gone', { text: 'olá' }), (error) => assertFailure(error, ErrorType.TypebotSessionGone));
  });

  void it('refuses a 2xx body that is not a chat turn, without retrying', async () => {
    const { fetchImpl } = fakeFetch({ status: 200, body: { messages: [{ id: 'b1', type: 'text', content: { type: 'html' } }] } });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    await assert.rejects(client.continueChat('s1', { text: 'x' }), (error) => assertFailure(error, ErrorType.ExternalServiceRejected));
  });

  void it('retries when Typebot cannot be reached or is too slow', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } });
    const slow = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const { fetchImpl } = fakeFetch(refused, slow);
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl, timeoutMs: 5 });
    await assert.rejects(client.continueChat('s1', { text: 'x' }), /Typebot continueChat failed: fetch failed \(ECONNREFUSED/);
    await assert.rejects(client.continueChat('s1', { text: 'x' }), /Typebot continueChat timed out after 5 ms/);
  });

  void it('asks for an upload URL and posts the file to the presigned form', async () => {
    const target = {
      presignedUrl: 'https://s3.example.pt/typebot',
      formData: { key: 'public/carta.jpg', policy: 'p0l' },
      fileUrl: 'https://s3.example.pt/typebot/public/carta.jpg',
      fileType: 'image/jpeg',
      maxFileSize: 10,
    };
    const { sent, fetchImpl } = fakeFetch({ status: 200, body: target }, { status: 204, body: undefined });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    const upload = await client.generateUploadUrl({ sessionId: 's1', blockId: 'b_doc', fileName: 'carta.jpg', fileType: 'image/jpeg', fileSize: 3 });
    await client.uploadFile(upload, new Uint8Array([1, 2, 3]), 'carta.jpg', 'image/jpeg');

    assert.equal(sent[0]?.url, 'https://bot.example.pt/api/v3/generate-upload-url');
    assert.deepEqual(jsonOf(sent[0]), { sessionId: 's1', blockId: 'b_doc', fileName: 'carta.jpg', fileType: 'image/jpeg', fileSize: 3 });
    assert.deepEqual(upload, target);
    assert.equal(sent[1]?.url, 'https://s3.example.pt/typebot');
    assert.equal(sent[1]?.method, 'POST');
    assert.ok(sent[1]?.body instanceof FormData);
    assert.deepEqual([...sent[1].body.keys()], ['key', 'policy', 'file']);
  });

  void it('puts the bytes to a presigned URL that comes without form fields', async () => {
    const { sent, fetchImpl } = fakeFetch({ status: 200, body: undefined });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    await client.uploadFile({ presignedUrl: 'https://s3.example.pt/b/carta.pdf?X-Amz-Signature=s', formData: {} }, new Uint8Array([37, 80]), 'carta.pdf', 'application/pdf');
    assert.equal(sent[0]?.method, 'PUT');
    assert.equal(sent[0]?.headers.get('content-type'), 'application/pdf');
  });

  void it('does not retry an upload the storage refused', async () => {
    const { fetchImpl } = fakeFetch({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Policy expired</Message></Error>' });
    const client = createTypebotClient({ baseUrl: 'https://bot.example.pt', fetch: fetchImpl });
    const presigned = { presignedUrl: 'https://s3.example.pt/b', formData: { key: 'k' } };
    await assert.rejects(client.uploadFile(presigned, new Uint8Array([1]), 'a.jpg', 'image/jpeg'), (error) => assertFailure(error, ErrorType.ExternalServiceRejected));
  });
});
