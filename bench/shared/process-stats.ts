/** Memory and CPU figures of processes, read from Linux's /proc. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** Linux reports CPU times in clock ticks of USER_HZ, 100 on every mainstream build. */
const ticksPerSecond = 100;

async function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kilobytes = status === undefined ? undefined : new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
  return kilobytes === undefined ? undefined : round(Number(kilobytes) / 1024);
}

/** Peak resident set size (VmHWM) in MB, or undefined when the process is gone or this is not Linux. */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM');

/** Current resident set size (VmRSS) in MB. */
export const rssMb = (pid: number) => statusMb(pid, 'VmRSS');

/** User + system CPU seconds a process has used so far. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces; fields 14 and 15 count from after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** CPU seconds the whole machine spent busy (not idle, not waiting for I/O) so far. */
export async function machineBusySeconds(): Promise<number | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const values = stat?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (values === undefined || values.length < 5) return undefined;
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return (total - values[3]! - values[4]!) / ticksPerSecond;
}

export interface CpuSnapshot {
  processes: Record<string, number | undefined>;
  machineBusy: number | undefined;
}

export async function cpuSnapshot(pids: Record<string, number>): Promise<CpuSnapshot> {
  const entries = await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const));
  return { processes: Object.fromEntries(entries), machineBusy: await machineBusySeconds() };
}

/** CPU seconds per process between two snapshots, plus what the rest of the machine used (PostgreSQL, ...). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number | null> {
  const spent: Record<string, number | null> = {};
  let known = 0;
  for (const [name, end] of Object.entries(after.processes)) {
    const start = before.processes[name];
    spent[name] = end === undefined || start === undefined ? null : round(end - start);
    known += spent[name] ?? 0;
  }
  const machine = after.machineBusy === undefined || before.machineBusy === undefined ? null : round(after.machineBusy - before.machineBusy);
  spent.machine_busy = machine;
  spent.everything_else = machine === null ? null : round(machine - known);
  return spent;
}

/** `loadAverageAtStart`: others may share the machine; a high figure means the run was disturbed. */
export function machineInfo(loadAverageAtStart: number): Record<string, string | number> {
  return {
    cpus: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    load_average_1m_at_start: round(loadAverageAtStart, 2),
    platform: `${os.platform()} ${os.release()}`,
  };
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
