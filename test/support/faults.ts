/** The switches of a simulator's `faults` that are plain values (down, webhookDown, delayMs, duplicateWebhooks …). */
type Switches<Faults> = { [Key in keyof Faults as Faults[Key] extends (...args: never[]) => unknown ? never : Key]?: Faults[Key] };

/**
 * Throws the given fault switches of a simulator for as long as `run` takes, and puts each back as it
 * was however `run` ends: a failed assertion must not leave a simulator down for the rest of the file.
 *
 *     await withFaults(sut.wpp.faults, { down: true }, async () => { … });
 */
export async function withFaults<Faults extends object, T>(faults: Faults, switches: Switches<Faults>, run: () => Promise<T>): Promise<T> {
  const target = faults as Record<string, unknown>;
  const previous = Object.fromEntries(Object.keys(switches).map((key) => [key, target[key]]));
  Object.assign(target, switches);
  try {
    return await run();
  } finally {
    Object.assign(target, previous);
  }
}
