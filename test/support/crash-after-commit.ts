import assert from 'node:assert/strict';

/**
 * An API that dies between the intake's commit and its hand-off to Temporal, on demand: pass
 * `afterIntakeCommit` to the test system, then `submitCrashing` a registration. The answer is a 5xx,
 * as a crash's would be; the rows are committed and no workflow was started.
 */
export function crashAfterCommit() {
  let crashing = false;
  return {
    afterIntakeCommit: async () => {
      if (crashing) throw new Error('test: the API dies between the commit and the hand-off');
    },
    async submitCrashing(submit: () => Promise<{ status: number }>): Promise<void> {
      crashing = true;
      try {
        const answer = await submit();
        assert.ok(answer.status >= 500, `${answer.status}: the API failed, as a crash would`);
      } finally {
        crashing = false;
      }
    },
  };
}
