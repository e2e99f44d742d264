/**
 * Nothing personal in plain text in Temporal: every payload a client or worker writes (workflow and
 * activity inputs and results, signals, queries, updates) is encrypted before it reaches the server —
 * the envelope of stored files, one data key per payload. A chat's or a registration's workflow has
 * that data key wrapped by its data subject's key (the SDK tells the codec whose payload it is), so
 * an erasure, which destroys that key, leaves its history unreadable; other workflows' payloads are
 * wrapped by the master keys. A payload written before (or by a process without the codec) is read
 * as it is, so running workflows and recorded histories still replay. Failures' messages and stack
 * traces are moved into a payload first (failure-converter.ts). Search attributes and workflow ids
 * are not payloads: they stay readable (README, "Personal data").
 */
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import { SealBroken, seal, sealedWith, unseal } from './envelope.ts';
import { keyringOf, type Keyring, type MasterKey } from './keyring.ts';

/** Data subjects' keys for workflows (platform/stores/data-keys.ts). */
export interface WorkflowKeys {
  /** The key this workflow's payloads are sealed with: its data subject's, or undefined (the master key). */
  forWorkflow(workflowId: string): Promise<MasterKey | undefined>;
  /** A subject's key as a payload's header names it, or undefined when it is not one (or was destroyed). */
  byEnvelopeId(envelopeId: string): Promise<MasterKey | undefined>;
}

const encoding = 'binary/encrypted';
/** What the sealed bytes are bound to: a payload cannot be passed off as a stored file, or the reverse. */
const binding = 'temporal-payload';
const text = new TextEncoder();
const read = new TextDecoder();
// The package is CommonJS: its namespaces come through the default export.
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/**
 * Every webhook, activation and command of a chat goes through here, so keys are kept a while: those
 * that open payloads for `cacheMs` (30 s; after an erasure a process may still read that subject's
 * older payloads for that long), the one that seals for `sealCacheMs` only (1 s: a burst of a chat's
 * messages costs one lookup, and a driver who writes again after an erasure gets a new key, not the
 * destroyed one, whose payloads nobody could open).
 */
function cached<T>(lookup: (id: string) => Promise<T>, cacheMs: number): (id: string) => Promise<T> {
  const kept = new Map<string, { value: Promise<T>; until: number }>();
  return (id) => {
    const now = Date.now();
    const hit = kept.get(id);
    if (hit !== undefined && hit.until > now) return hit.value;
    if (kept.size > 10_000) kept.clear();
    const value = lookup(id);
    kept.set(id, { value, until: now + cacheMs });
    value.catch(() => kept.delete(id));
    return value;
  };
}

export function createPayloadCodec(keyring: Keyring, subjects?: WorkflowKeys, cacheMs = 30_000, sealCacheMs = 1_000): PayloadCodec {
  const forWorkflow = subjects === undefined ? undefined : cached((id) => subjects.forWorkflow(id), sealCacheMs);
  const byEnvelopeId = subjects === undefined ? undefined : cached((id) => subjects.byEnvelopeId(id), cacheMs);

  async function sealingRing(context: SerializationContext | undefined): Promise<Keyring> {
    const workflowId = context?.workflowId;
    const subjectKey = workflowId === undefined ? undefined : await forWorkflow?.(workflowId);
    return subjectKey === undefined ? keyring : keyringOf([subjectKey]);
  }

  async function openingRing(sealed: Buffer): Promise<Keyring> {
    const named = sealedWith(sealed);
    if (keyring.find(named) !== undefined) return keyring;
    const subjectKey = await byEnvelopeId?.(named);
    if (subjectKey !== undefined) return keyringOf([subjectKey]);
    // A subject's key that is gone: the driver was erased (a master key's id never holds a ':').
    if (named.includes(':')) throw new SealBroken('key-destroyed', 'A Temporal payload');
    return keyring;
  }

  return {
    async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
      const ring = await sealingRing(context);
      return payloads.map((payload) => ({
        metadata: { encoding: text.encode(encoding), 'encryption-key-id': text.encode(ring.current.id) },
        data: seal(Buffer.from(ProtoPayload.encode(payload).finish()), ring, binding),
      }));
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return Promise.all(payloads.map(async (payload) => {
        const kind = payload.metadata?.encoding;
        if (kind === undefined || kind === null || read.decode(kind) !== encoding) return payload;
        const sealed = Buffer.from(payload.data ?? new Uint8Array());
        return ProtoPayload.decode(unseal(sealed, await openingRing(sealed), binding));
      }));
    },
  };
}
