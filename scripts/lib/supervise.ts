/**
 * What `npm start` started for itself (the Temporal dev server or server, an embedded PostgreSQL),
 * kept alive: when one dies it is started again, at most `maxRestarts` times within `windowMs`.
 * Past that, or when a restart fails, `giveUp` is told why in one sentence (npm start then stops
 * everything, saying so), so nothing is left serving without it.
 */
export interface Supervised {
  name: string;
  /** Settles with the reason when the running instance ends, whoever ended it. */
  died(): Promise<string>;
  /** Starts it again where it was (same data, same address). */
  restart(): Promise<void>;
}

export interface SuperviseOptions {
  log: (line: string) => void;
  giveUp: (message: string) => void;
  /** True once the caller is stopping everything itself: a death then is expected. */
  stopping: () => boolean;
  /** Default 3. */
  maxRestarts?: number;
  /** Default 10 minutes. */
  windowMs?: number;
}

export function supervise(part: Supervised, options: SuperviseOptions): void {
  const maxRestarts = options.maxRestarts ?? 3;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const restarts: number[] = [];
  const watch = async (): Promise<void> => {
    for (;;) {
      const reason = await part.died();
      if (options.stopping()) return;
      const now = Date.now();
      while (restarts.length > 0 && now - restarts[0]! > windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        options.giveUp(`${part.name} stopped (${reason}) again after ${restarts.length} restart(s) within ${Math.round(windowMs / 60_000)} minutes: stopping everything rather than running without it.`);
        return;
      }
      restarts.push(now);
      options.log(`${part.name} stopped (${reason}): starting it again (${restarts.length} of ${maxRestarts}).`);
      try {
        await part.restart();
        options.log(`${part.name} is back.`);
      } catch (error) {
        if (options.stopping()) return;
        options.giveUp(`${part.name} stopped (${reason}) and could not be started again (${(error as Error | undefined)?.message ?? String(error)}): stopping everything rather than running without it.`);
        return;
      }
    }
  };
  void watch();
}
