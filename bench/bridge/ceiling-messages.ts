/** What the ceiling worker process tells the bench over its IPC channel. */

/** The worker polls the ceiling's task queue. */
export interface CeilingReadyMessage {
  type: 'ready';
}

/** Every expected no-op activity has run (counted in the worker, as each one runs). */
export interface CeilingDoneMessage {
  type: 'done';
  activities: number;
}

export type CeilingWorkerMessage = CeilingReadyMessage | CeilingDoneMessage;
