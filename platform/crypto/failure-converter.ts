/**
 * Failures as the system writes them to Temporal: a failure's message and stack trace are moved into
 * an encoded payload (the payload codec encrypts it), so an error that quotes a driver's data does not
 * sit in plain text in a history. A failure written before (plain) is read as it is. Loaded by path
 * (`failureConverterPath`) by every client and worker, and bundled into the workflows' sandbox.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
