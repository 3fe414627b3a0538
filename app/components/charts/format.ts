const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration in milliseconds as people say it: 350ms, 45s, 12m, 3h 05m, 2d 4h. Whole units drop the remainder
 * (2h, 3d) so the same function labels axis ticks. Rounds to the unit shown, carrying upwards (59.6m → 1h).
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 0) return `-${formatMs(-ms)}`;
  if (ms === 0) return "0s";
  if (Math.round(ms) < SECOND) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / SECOND);
  if (s < 60) return `${s}s`;
  const m = Math.round(ms / MINUTE);
  if (m < 60) return `${m}m`;
  if (m < 24 * 60) {
    const h = Math.floor(m / 60);
    const mm = m % 60;
    return mm ? `${h}h ${String(mm).padStart(2, "0")}m` : `${h}h`;
  }
  const hours = Math.round(ms / HOUR);
  const d = Math.floor(hours / 24);
  const hh = hours % 24;
  return hh ? `${d}d ${hh}h` : `${d}d`;
}

/** A share (0..1) as a percentage: formatPct(0.423) = "42%", formatPct(0.4234, 1) = "42.3%". */
export function formatPct(share: number, digits = 0): string {
  if (!Number.isFinite(share)) return "–";
  return `${(share * 100).toFixed(digits)}%`;
}

// One formatter for every count: toLocaleString with options builds a new one per call, which showed in profiles.
const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A count with thousands separators (1,234); fractions keep up to two decimals. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return COUNT.format(n);
}

export const DURATION = { SECOND, MINUTE, HOUR, DAY } as const;
