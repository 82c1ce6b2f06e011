/**
 * A handling-rule profile (domain.md §3): which time limit applies to which stage of which order,
 * on which clock, and where each rule comes from. Profiles are data (config/rule-profiles/*.json),
 * validated here; `id` and `version` are recorded with every computed deadline so a profile change
 * is traceable and never silently rewrites old deadlines.
 */
import { z } from 'zod';
import { CATEGORIES, URGENCIES, type Category, type Urgency } from '../events/work-order-event';
import { describeIssues, type ValidationResult } from '../calendar/validation-result';

export const RULE_STAGES = ['accept', 'return_request', 'complete'] as const;
/** `accept` 签收/接单, `return_request` 退单申请, `complete` 办结. */
export type RuleStage = (typeof RULE_STAGES)[number];

export const CLOCK_KINDS = ['natural', 'working'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

export const CLOCK_CONVENTIONS = ['rolling', 'next_day'] as const;
/**
 * `rolling`: the limit is elapsed time on the clock from the start instant.
 * `next_day` (次日起 N 个工作日): counting from the day after the start, due at the end of the Nth
 * working day. Only for whole working days.
 */
export type ClockConvention = (typeof CLOCK_CONVENTIONS)[number];

export const LIMIT_UNITS = ['minutes', 'hours', 'days', 'working_hours', 'working_days'] as const;
export type LimitUnit = (typeof LIMIT_UNITS)[number];

const MINUTES_PER_UNIT: Record<LimitUnit, number> = {
  minutes: 1,
  hours: 60,
  days: 1440,
  working_hours: 60,
  working_days: 1440,
};

const NATURAL_UNITS: readonly LimitUnit[] = ['minutes', 'hours', 'days'];
const WORKING_UNITS: readonly LimitUnit[] = ['working_hours', 'working_days'];

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'use lower-case letters, digits, . _ -' })
  .max(100);
const source = z.string().trim().min(1, { error: 'say where the rule comes from' }).max(2000);

const ruleSchema = z
  .strictObject({
    id: identifier,
    stage: z.enum(RULE_STAGES),
    /** Empty matches every order; listed values are alternatives; urgency AND category. */
    match: z.strictObject({
      urgency: z.array(z.enum(URGENCIES)).min(1).optional(),
      category: z.array(z.enum(CATEGORIES)).min(1).optional(),
    }),
    limit: z.strictObject({ value: z.number().positive().max(100_000), unit: z.enum(LIMIT_UNITS) }),
    clock: z.enum(CLOCK_KINDS),
    convention: z.enum(CLOCK_CONVENTIONS),
    source,
    note: z.string().max(2000).optional(),
  })
  .superRefine((rule, ctx) => {
    const allowed = rule.clock === 'natural' ? NATURAL_UNITS : WORKING_UNITS;
    if (!allowed.includes(rule.limit.unit)) {
      ctx.addIssue({
        code: 'custom',
        path: ['limit', 'unit'],
        message: `a ${rule.clock} clock takes ${allowed.join(' or ')}, not ${rule.limit.unit}`,
      });
    }
    if (rule.convention === 'next_day') {
      if (rule.clock !== 'working' || rule.limit.unit !== 'working_days') {
        ctx.addIssue({
          code: 'custom',
          path: ['convention'],
          message: 'next_day (次日起 N 个工作日) needs the working clock and working_days',
        });
      }
      if (!Number.isInteger(rule.limit.value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['limit', 'value'],
          message: 'next_day counts whole working days',
        });
      }
    }
  });

const profileSchema = z.strictObject({
  id: identifier,
  version: z.string().trim().min(1).max(50),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  rules: z.array(ruleSchema).min(1),
  /** 重办: the category's completion limit again, from the `reopened` instant. */
  rework: z.strictObject({
    restart: z.literal('completion_limit_from_reopened'),
    source,
  }),
  /** 延期: approvals add working days to the completion deadline, within these caps. */
  extension: z.strictObject({
    maxApprovals: z.number().int().nonnegative().max(100),
    maxTotalWorkingDays: z.number().int().nonnegative().max(366),
    source,
  }),
  /** 预警: fires when the time left is ≤ fraction × the stage's limit, capped. */
  warning: z.strictObject({
    fraction: z.number().positive().max(1),
    capWorkingDays: z.number().positive().max(366),
    source,
  }),
});

export type HandlingRule = z.infer<typeof ruleSchema>;
export type RuleMatch = HandlingRule['match'];
export type RuleProfile = z.infer<typeof profileSchema>;

/** The rule's limit in minutes on its own clock (a working day is 1440 working minutes). */
export function ruleLimitMinutes(rule: HandlingRule): number {
  return rule.limit.value * MINUTES_PER_UNIT[rule.limit.unit];
}

export function ruleMatches(rule: HandlingRule, urgency: Urgency, category: Category): boolean {
  return (
    (rule.match.urgency === undefined || rule.match.urgency.includes(urgency)) &&
    (rule.match.category === undefined || rule.match.category.includes(category))
  );
}

/** Checks between rules, run on the rules that are individually valid. */
function crossCheck(raw: unknown): string[] {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (!Array.isArray(input.rules)) return [];
  const rules: { index: number; rule: HandlingRule }[] = [];
  (input.rules as unknown[]).forEach((candidate, index) => {
    const parsed = ruleSchema.safeParse(candidate);
    if (parsed.success) rules.push({ index, rule: parsed.data });
  });
  const errors: string[] = [];
  const firstIndexById = new Map<string, number>();
  for (const { index, rule } of rules) {
    const previous = firstIndexById.get(rule.id);
    if (previous !== undefined)
      errors.push(`rules[${index}].id: ${rule.id} is already used by rules[${previous}]`);
    else firstIndexById.set(rule.id, index);
  }
  // Every order must get exactly one rule per stage (the first that matches); a rule that is
  // never first is a mistake in the order of the list.
  if (rules.length !== (input.rules as unknown[]).length) return errors;
  for (const stage of RULE_STAGES) {
    const stageRules = rules.filter(({ rule }) => rule.stage === stage);
    if (stageRules.length === 0) {
      errors.push(`rules: no rule for stage ${stage}`);
      continue;
    }
    const used = new Set<number>();
    for (const urgency of URGENCIES) {
      for (const category of CATEGORIES) {
        const first = stageRules.find(({ rule }) => ruleMatches(rule, urgency, category));
        if (first === undefined) {
          errors.push(`rules: no ${stage} rule matches urgency ${urgency}, category ${category}`);
        } else {
          used.add(first.index);
        }
      }
    }
    for (const { index, rule } of stageRules) {
      if (!used.has(index)) {
        errors.push(
          `rules[${index}]: ${rule.id} is never used; earlier ${stage} rules match every order it matches`,
        );
      }
    }
  }
  return errors;
}

/** Validates a rule profile (parsed JSON), listing every problem at once. */
export function parseRuleProfile(json: unknown): ValidationResult<RuleProfile> {
  const parsed = profileSchema.safeParse(json);
  const errors = [...(parsed.success ? [] : describeIssues(parsed.error)), ...crossCheck(json)];
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}
