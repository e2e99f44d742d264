import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorType } from '../../domain/errors.ts';

/** How a client call failed, for the assertions below; fails the test if the call succeeded. */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(outcome instanceof Error, 'expected the call to fail');
  return outcome;
}

/** A transient failure: a plain Error, so Temporal retries the activity. */
export async function assertRetryable(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await failureOf(promise);
  assert.ok(!(error instanceof ApplicationFailure), `expected a plain (retryable) Error, got ApplicationFailure: ${error.message}`);
  assert.match(error.message, message);
}

/** A failure for good: a non-retryable ApplicationFailure of the given type. */
export async function assertPermanent(promise: Promise<unknown>, type: ErrorType): Promise<ApplicationFailure> {
  const error = await failureOf(promise);
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got: ${error.message}`);
  assert.equal(error.type, type);
  assert.equal(error.nonRetryable, true);
  return error;
}
