/** What the system's processes (API, worker) tell a bench over their IPC channel, and what a bench tells any child. */

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

/** The only message a bench sends: stop what you run and exit. */
export interface StopMessage {
  type: 'stop';
}
