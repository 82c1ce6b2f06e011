/**
 * Wall-clock arithmetic in the calendar's zone, fast enough for millions of events: the zone's
 * offset is looked up once per hour of the year and cached (Asia/Shanghai is always +08:00, but
 * nothing here assumes it). Instants are whole seconds (the simulator rounds every event time).
 */
import { tzOffset } from '@date-fns/tz';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

export class LocalClock {
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  /** The zone's offset from UTC at `ms`, in milliseconds. */
  offsetMs(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      offset = tzOffset(this.timeZone, new Date(hour * HOUR_MS)) * MINUTE_MS;
      this.offsets.set(hour, offset);
    }
    return offset;
  }

  /** Local hour of day, 0–23. */
  hourOf(ms: number): number {
    return new Date(ms + this.offsetMs(ms)).getUTCHours();
  }

  /** Local month, 1–12. */
  monthOf(ms: number): number {
    return new Date(ms + this.offsetMs(ms)).getUTCMonth() + 1;
  }

  /** RFC 3339 with the zone's offset, seconds precision: `2024-03-01T09:30:00+08:00`. */
  format(ms: number): string {
    const offset = this.offsetMs(ms);
    const local = new Date(ms + offset);
    const offsetMinutes = Math.abs(offset / MINUTE_MS);
    return (
      `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}` +
      `T${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}` +
      `${offset < 0 ? '-' : '+'}${pad2(Math.floor(offsetMinutes / 60))}:${pad2(offsetMinutes % 60)}`
    );
  }
}
