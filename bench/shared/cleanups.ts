/** What the bench started, stopped in reverse order; a failing step is logged and the rest still run. */
export class Cleanups {
  private readonly steps: Array<{ what: string; run: () => Promise<void> }> = [];

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  async runAll(log: (line: string) => void): Promise<void> {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      const { what } = step;
      await step.run().catch((error: unknown) => log(`cleanup "${what}" failed: ${String(error)}`));
    }
  }
}
