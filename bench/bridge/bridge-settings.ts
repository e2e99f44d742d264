/**
 * The bridge benchmark's knobs, parsed once from the environment. Defaults are the issue's
 * scenario: 2,000 inbound messages over 200 chats, then the same number at half the measured
 * engine ceiling, then 500 agent replies through Chatwoot's webhook.
 */
import { z } from 'zod';
import { commonSettingsShape, count, parseSettings } from '../shared/settings.ts';

const settingsSchema = z.object({
  BENCH_CHATS: count(200),
  BENCH_MESSAGES_PER_CHAT: count(10),
  /** Webhooks in flight at once at full speed, and signalWithStart calls in flight for the ceiling. */
  BENCH_CONCURRENCY: count(32),
  /** The second phase's arrival rate as a fraction of the measured ceiling (signals per second). */
  BENCH_PACED_FRACTION: z.coerce.number().positive().max(1).default(0.5),
  /** Agent replies posted through Chatwoot's signed webhook (over the first phase's conversations). */
  BENCH_AGENT_REPLIES: count(500),
  /**
   * Replies created a second (open loop); 0: all at once, as the default scenario (the simulator
   * then delivers them within its 30 ms jitter, so the API answers a burst of that many at once).
   */
  BENCH_AGENT_REPLIES_PER_SECOND: z.coerce.number().min(0).default(0),
  /**
   * Worker processes (each runs the bridge and the registration worker). 2 shows what a second
   * instance adds on the same machine: correctness is the scale test's; on 2 cores expect no gain.
   */
  BENCH_WORKERS: z.coerce.number().int().min(1).max(4).default(1),
  /** How long each phase may take to reach its end before the run fails. */
  BENCH_TIMEOUT_SECONDS: count(300),
  /** The project's own keys, passed to the API and worker. Unset: the project's default (20). */
  BRIDGE_BATCH_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  /** Off by default here (the project's default is on): the bench measures the webhook path, not the safety net. */
  BRIDGE_POLLING: z.enum(['true', 'false']).default('false'),
  /** BENCH_CPU_PROFILE_DIR, TEMPORAL_ADDRESS, DATABASE_URL. */
  ...commonSettingsShape,
});

export type BridgeSettings = z.infer<typeof settingsSchema>;

export function loadBridgeSettings(env: Record<string, string | undefined>): BridgeSettings {
  const settings = parseSettings(settingsSchema, env);
  if (settings.BENCH_CHATS > 9_999) throw new Error('BENCH_CHATS must be at most 9999 (four digits of each phone number)');
  return settings;
}
