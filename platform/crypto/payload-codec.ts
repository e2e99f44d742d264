/**
 * Nothing personal in plain text in Temporal: every payload a client or worker writes (workflow and
 * activity inputs and results, signals, queries, updates) is encrypted with the master keys before
 * it reaches the server — the envelope of stored files, one data key per payload. A payload written
 * before (or by a process without the codec) is read as it is, so running workflows and recorded
 * histories still replay. Failures' messages and stack traces are moved into a payload first
 * (failure-converter.ts). Search attributes and workflow ids are not payloads: they stay readable
 * (README, "Personal data"). The master keys, not a chat's own key: a subject's key chosen from the
 * SDK's serialization context was tried and made chats' order flaky after a worker was killed (the
 * bridge fault matrix); an erasure deletes the driver's histories from Temporal instead, and a
 * backup of Temporal's database keeps them under the master keys.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { seal, unseal } from './envelope.ts';
import type { Keyring } from './keyring.ts';

const encoding = 'binary/encrypted';
/** What the sealed bytes are bound to: a payload cannot be passed off as a stored file, or the reverse. */
const binding = 'temporal-payload';
const text = new TextEncoder();
const read = new TextDecoder();
// The package is CommonJS: its namespaces come through the default export.
const ProtoPayload = proto.temporal.api.common.v1.Payload;

export function createPayloadCodec(keyring: Keyring): PayloadCodec {
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => ({
        metadata: { encoding: text.encode(encoding), 'encryption-key-id': text.encode(keyring.current.id) },
        data: seal(Buffer.from(ProtoPayload.encode(payload).finish()), keyring, binding),
      }));
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const kind = payload.metadata?.encoding;
        if (kind === undefined || kind === null || read.decode(kind) !== encoding) return payload;
        return ProtoPayload.decode(unseal(Buffer.from(payload.data ?? new Uint8Array()), keyring, binding));
      });
    },
  };
}
