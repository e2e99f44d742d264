/**
 * Inputs for the fuzz runs: anything JSON can carry, strings chosen to trip parsers, and valid
 * payloads of each route with a few keys replaced, removed or added (most random JSON is refused at
 * the first check; a near-valid one reaches the code behind it).
 */
import fc from 'fast-check';

/**
 * Cases per property: `normal` in `npm test`; with `npm run fuzz` (FUZZ_RUNS=20000), FUZZ_RUNS times
 * `scale` (the HTTP fuzz takes a few milliseconds a case, so it asks for a share of them).
 */
export const fuzzRuns = (normal: number, scale = 1): number => {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(asked) && asked > 0 ? Math.max(normal, Math.round(asked * scale)) : normal;
};

/** When FUZZ_SEED is set (fast-check prints it with a failure), the run repeats that failure. */
export const fuzzParameters = (normal: number, scale = 1): fc.Parameters<unknown> => {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(normal, scale), ...(Number.isSafeInteger(seed) ? { seed } : {}) };
};

export const trickyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '', ' ', '\u0000', '\n\t', '__proto__', 'constructor', 'toString', '😀', '\ud800', '\u202e', 'a'.repeat(5000),
    '-1', '0', 'NaN', 'Infinity', '1e309', '=', '====', 'data:', 'data:,', 'data:;base64,', 'data:image/png;base64,====',
    'http://', 'https://[::1]/', 'javascript:alert(1)', 'file:///etc/passwd', '../../etc/passwd', '%00', '\\u0000',
    'true_351912345678@c.us_3EB0', 'false__', '@c.us', '@g.us', 'status@broadcast', '351912345678@lid',
    '123456789', '+351912345678', '00351 912 345 678', '4050-262', '4050262', '  4050 - 262 ',
  ),
);

export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: trickyString },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(trickyString, { maxLength: 3 })) },
);

/** `base` with some keys replaced by any value, some removed, and a few unknown ones added. */
export function nearly(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc.record({
    replaced: fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 3 }),
    removed: fc.subarray(keys, { maxLength: 2 }),
    added: fc.dictionary(trickyString, anyValue, { maxKeys: 2 }),
  }).map(({ replaced, removed, added }) => {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(added)) Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    for (const [key, value] of Object.entries(replaced)) result[key] = value;
    for (const key of removed) delete result[key];
    return result;
  });
}

/** A whole body: random JSON, or a near-valid payload. */
export const bodyLike = (base: Record<string, unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 1, arbitrary: anyValue }, { weight: 4, arbitrary: nearly(base) });

export const chatId = '351912345678@c.us';

/** A text message as WPPConnect posts it to the webhook (CONTRACTS.md §2.5). */
export const wppMessage = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  event: 'onmessage',
  session: 'test',
  id: `false_${chatId}_3EB0${'A1B2C3D4E5F6'}`,
  from: chatId,
  to: '351900000000@c.us',
  fromMe: false,
  type: 'chat',
  body: 'Olá, bom dia',
  t: 1_760_000_000,
  isGroupMsg: false,
  notifyName: 'Rui',
  sender: { id: chatId, pushname: 'Rui' },
  ...overrides,
});

export const wppAck = (): Record<string, unknown> => ({
  event: 'onack', session: 'test', id: { _serialized: `true_${chatId}_3EB0FFFF` }, ack: 3, t: 1_760_000_000,
});

/** An agent's reply as Chatwoot posts it (CONTRACTS.md §1.7). */
export const chatwootReply = (inboxId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  event: 'message_created',
  id: 9001,
  content: 'Bom dia, em que posso ajudar?',
  message_type: 'outgoing',
  private: false,
  source_id: null,
  content_attributes: {},
  inbox: { id: inboxId },
  attachments: [],
  conversation: { id: 77, contact_inbox: { source_id: chatId } },
  ...overrides,
});

export const chatwootConversationEvent = (inboxId: number): Record<string, unknown> => ({
  event: 'conversation_updated',
  id: 77,
  inbox_id: inboxId,
  status: 'open',
  contact_inbox: { source_id: chatId },
  updated_at: 1_760_000_000,
  changed_attributes: [{ assignee_id: { previous_value: null, current_value: 3 } }],
});
