/** What is kept how long, and what a purge did (README, "Personal data"); shared by the schedule's workflow and its activity. */
export interface RetentionRules {
  /** A rejected registration's data and documents, after its decision. */
  rejectedAfterMs: number;
  /** A file a driver sent in the chat, after it was stored. */
  chatMediaAfterMs: number;
  /** The bot's kept turns and its sessions' link tokens, after they were made. */
  botRecordsAfterMs: number;
}

export interface RetentionReport {
  dryRun: boolean;
  rejectedRegistrations: string[];
  chatMedia: number;
  botTurns: number;
  botSessions: number;
}
