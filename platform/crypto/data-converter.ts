/**
 * The one data converter every Temporal client and worker of the system uses: payloads encrypted
 * with the master keys (payload-codec.ts), failures' messages and stack traces encoded into them
 * (failure-converter.ts). A workflow bundle built ahead of time gets the same `failureConverterPath`.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { Keyring } from './keyring.ts';
import { createPayloadCodec, type WorkflowKeys } from './payload-codec.ts';
import { moduleBeside } from '../module-path.ts';

export const failureConverterPath = fileURLToPath(moduleBeside(import.meta.url, './failure-converter'));

/** `subjects` unset: the master keys alone (a replay of recorded histories, which were written with them). */
export const systemDataConverter = (keyring: Keyring, subjects?: WorkflowKeys): DataConverter & { payloadCodecs: [PayloadCodec] } =>
  ({ payloadCodecs: [createPayloadCodec(keyring, subjects)], failureConverterPath });
