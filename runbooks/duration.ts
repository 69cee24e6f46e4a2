// Durations in runbooks: a whole number and a unit, e.g. 30s, 15m, 4h, 14d. Pure: used in workflows too.
export const durationPattern = /^(\d+)(s|m|h|d)$/;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(duration: string): number {
  const match = durationPattern.exec(duration);
  if (!match) throw new Error(`"${duration}" is not a duration such as 30s, 15m, 4h or 14d`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  const hours = ms / 3_600_000;
  return hours < 48 ? `${+hours.toFixed(1)}h` : `${+(hours / 24).toFixed(1)}d`;
}
