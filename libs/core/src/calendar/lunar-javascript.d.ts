/**
 * The part of lunar-javascript (6tail, MIT; no dependencies, no install scripts) that
 * lunar-dates.ts uses. The package ships no types; only lunar-dates.ts may import it (ESLint).
 */
declare module 'lunar-javascript' {
  interface LunarSolarDay {
    getYear(): number;
    getMonth(): number;
    getDay(): number;
  }
  interface LunarDay {
    getSolar(): LunarSolarDay;
    /** The 24 solar terms of this lunar year (and the neighbouring ones), keyed by name. */
    getJieQiTable(): Record<string, LunarSolarDay | undefined>;
  }
  export const Lunar: {
    /** A day of the Chinese lunar calendar: year, month (1 = 正月), day (1 = 初一). */
    fromYmd(lunarYear: number, lunarMonth: number, lunarDay: number): LunarDay;
  };
}
