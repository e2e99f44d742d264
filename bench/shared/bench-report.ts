/** The one JSON object a bench prints: figures, targets met or missed, and the context to read them in. */
import { round } from './process-stats.ts';

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summary(values: number[]): { p50: number; p99: number; max: number; mean: number } {
  return {
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
    max: round(Math.max(...values)),
    mean: round(values.reduce((sum, value) => sum + value, 0) / values.length),
  };
}

/** `summary`, or null when there is nothing to summarise (every message lost, say). */
export const summaryOrNull = (values: number[]) => (values.length === 0 ? null : summary(values));

export interface Target {
  target: string;
  value: number | null;
  met: boolean;
}

export const atLeast = (value: number | undefined, minimum: number): Target =>
  ({ target: `>= ${minimum}`, value: value ?? null, met: value !== undefined && value >= minimum });

export const atMost = (value: number | undefined, maximum: number): Target =>
  ({ target: `<= ${maximum}`, value: value ?? null, met: value !== undefined && value <= maximum });

export const exactly = (value: number | undefined, expected: number): Target =>
  ({ target: `= ${expected}`, value: value ?? null, met: value === expected });
