/** What the benchmark's child processes tell the bench over their IPC channel. */

export interface ImageWorkSettings {
  uvThreadpoolSize: number;
  sharpConcurrency: number;
  /** sharp's operation cache limit, MB (0 when off). */
  sharpCacheMb: number;
  /** Allocator settings inherited from the bench's environment, when set. */
  ldPreload?: string;
  mallocArenaMax?: string;
}

/** The worker or the API is running (the API with its URL). */
export interface ReadyMessage {
  type: 'ready';
  apiUrl?: string;
  imageWork: ImageWorkSettings;
}

/** The sharp ceiling has been measured. */
export interface CeilingMessage {
  type: 'ceiling';
  registrations: number;
  elapsedMs: number;
  /** User + system CPU the ceiling process used for the pass. */
  cpuSeconds: number;
  imageWork: ImageWorkSettings;
}

export type ChildMessage = ReadyMessage | CeilingMessage;

/** The only message the bench sends: stop what you run and exit. */
export interface StopMessage {
  type: 'stop';
}
