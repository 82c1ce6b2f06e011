/**
 * The wall clock, passed to what reads it instead of calling `new Date()` there. The system clock
 * unless CLOCK_START_AT gives a start: then it begins at that instant and runs at real speed (a
 * year-end drill before the year ends, an end-to-end test of it).
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function createClock(startAt: Date | undefined): Clock {
  if (startAt === undefined) return systemClock;
  const offsetMs = startAt.getTime() - Date.now();
  return () => new Date(Date.now() + offsetMs);
}
