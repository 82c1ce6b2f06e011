/** Instants as the API sends them (RFC 3339 with +08:00) shown as the street reads them. */
export function shortInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  // 2024-03-05T10:00:00+08:00 → 2024-03-05 10:00 (the API already speaks the calendar's zone)
  return iso.slice(0, 16).replace('T', ' ');
}

/** `3天4小时`, `25分钟`: a duration in the largest two units. */
export function duration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return `${hours}小时${minutes % 60 > 0 ? `${minutes % 60}分钟` : ''}`;
  return `${minutes}分钟`;
}

export const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${rate.toFixed(2)}%`;
