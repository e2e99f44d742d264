/** The engine ceiling's one activity: nothing, so what is measured is Temporal's round trips alone. */
export function createCeilingActivities(onRun: () => void) {
  return {
    async noOp(): Promise<void> {
      onRun();
    },
  };
}

export type CeilingActivities = ReturnType<typeof createCeilingActivities>;
