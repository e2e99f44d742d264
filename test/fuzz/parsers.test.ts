import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseEmail, parseFreeText, parseFullName } from '../../domain/contact-fields.ts';
import { AppError } from '../../domain/errors.ts';
import { parseNif } from '../../domain/nif.ts';
import { parsePortuguesePhone } from '../../domain/phone.ts';
import { parsePostalCode } from '../../domain/postal-code.ts';
import { documentKinds, parseDocumentSource, parseRegistrationSubmission } from '../../domain/registration-submission.ts';
import type { Parsed } from '../../domain/result.ts';
import { flattenTypebotPayload } from '../../domain/typebot-payload.ts';
import { decideChatwootWebhook } from '../../integrations/chatwoot/webhook.ts';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import {
  anyValue, bodyLike, chatwootConversationEvent, chatwootReply, fuzzParameters, trickyString, wppAck, wppMessage,
} from './arbitraries.ts';

/** Runs `parse`; the only failure allowed is the project's refusal (an AppError with a 4xx status). */
function refusesOrParses(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof AppError, `threw ${String(error)} instead of an AppError`);
    assert.ok(error.status >= 400 && error.status < 500, `refused with status ${error.status}`);
  }
}

/** A validator's result: the value, or one non-empty sentence for the driver. */
function assertParsed(result: Parsed<unknown>): void {
  if (result.ok) return;
  assert.equal(typeof result.error, 'string');
  assert.notEqual(result.error.trim(), '');
}

const flatSubmission: Record<string, unknown> = {
  nome_completo: 'Rui Manuel Almeida',
  nif: '123456789',
  telefone: '912 345 678',
  email: 'rui.almeida@example.pt',
  morada: 'Rua das Flores, 12',
  codigo_postal: '4050-262',
  cidade: 'Porto',
  cnh_frente: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==',
  cnh_verso: 'https://files.typebot.example.pt/carta-verso.jpg',
  comprovante_morada: 'JVBERi0xLjcK',
};

const answer = fc.oneof(anyValue, trickyString.map((text) => ` ${text} `));

describe('fuzz: payload parsers never crash, they parse or refuse with a 4xx', () => {
  it('parseWppConnectWebhook', () => {
    fc.assert(fc.property(fc.oneof(bodyLike(wppMessage()), bodyLike(wppAck()), bodyLike({ event: 'status-find', session: 'test', status: 'inChat' })), (body) => {
      refusesOrParses(() => parseWppConnectWebhook(body));
    }), fuzzParameters(400));
  });

  it('decideChatwootWebhook', () => {
    fc.assert(fc.property(fc.oneof(bodyLike(chatwootReply(7)), bodyLike(chatwootConversationEvent(7))), (body) => {
      refusesOrParses(() => {
        const decision = decideChatwootWebhook(body, 7);
        if (decision.forward) assert.equal(typeof decision.chatId, 'string');
        else assert.equal(typeof decision.why, 'string');
      });
    }), fuzzParameters(400));
  });

  it('flattenTypebotPayload, then parseRegistrationSubmission', () => {
    const variables = fc.array(fc.oneof(
      fc.record({ id: fc.string(), name: fc.oneof(fc.constantFrom(...Object.keys(flatSubmission)), trickyString), value: answer }),
      anyValue,
    ), { maxLength: 12 }).map((list) => ({ variables: list }));
    fc.assert(fc.property(fc.oneof(bodyLike(flatSubmission), variables), (body) => {
      refusesOrParses(() => {
        const flat = flattenTypebotPayload(body);
        assertParsed(flat);
        if (!flat.ok) return;
        const submission = parseRegistrationSubmission(flat.value);
        if (!submission.ok) {
          assert.ok(Object.keys(submission.fields).length > 0, 'a refusal names at least one field');
          for (const message of Object.values(submission.fields)) assert.notEqual(message.trim(), '');
        }
      });
    }), fuzzParameters(400));
  });

  it('the field validators: NIF, phone, postal code, e-mail, name, free text, documents', () => {
    fc.assert(fc.property(answer, (raw) => {
      refusesOrParses(() => {
        for (const result of [
          parseNif(raw), parsePortuguesePhone(raw), parsePostalCode(raw), parseEmail(raw), parseFullName(raw),
          parseFreeText(raw, 'Morada', 200), ...documentKinds.map((kind) => parseDocumentSource(raw, kind)),
        ]) assertParsed(result);
      });
    }), fuzzParameters(1000));
  });

  it('a normalised NIF, phone or postal code is accepted again as it is', () => {
    const digits = fc.stringMatching(/^[\d +().-]{0,20}$/);
    fc.assert(fc.property(fc.oneof(digits, answer), (raw) => {
      for (const parse of [parseNif, parsePortuguesePhone, parsePostalCode]) {
        const first = parse(raw);
        if (!first.ok) continue;
        assert.deepEqual(parse(first.value), first, `${parse.name}(${JSON.stringify(raw)}) gave ${first.value}, which it does not accept as it is`);
      }
    }), fuzzParameters(1000));
  });
});
