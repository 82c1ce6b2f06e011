/**
 * "Units that need attention" (需要关注的单位), as the demo prints them and the console shows them:
 * a unit scores the points its satisfaction and on-time completion rates lie below the street's,
 * plus its overdue open orders; the three highest positive scores are named. A rate with nothing
 * to rate counts as 100 (no evidence against the unit).
 */
export interface AttentionFigures {
  key: string;
  satisfactionRate: number | null;
  onTimeCompletionRate: number | null;
  overdueOpen: number;
}

export const ATTENTION_LIMIT = 3;

export function unitsNeedingAttention<T extends AttentionFigures>(
  groups: readonly T[],
  total: Pick<AttentionFigures, 'satisfactionRate' | 'onTimeCompletionRate'>,
  limit = ATTENTION_LIMIT,
): (T & { score: number })[] {
  return groups
    .map((g) => ({
      ...g,
      score:
        (total.satisfactionRate ?? 100) -
        (g.satisfactionRate ?? 100) +
        (total.onTimeCompletionRate ?? 100) -
        (g.onTimeCompletionRate ?? 100) +
        g.overdueOpen,
    }))
    .filter((g) => g.score > 0)
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .slice(0, limit);
}
