import type { Category, Urgency } from '../events/work-order-event';
import { ruleMatches, type HandlingRule, type RuleProfile, type RuleStage } from './rule-profile';

/** A profile that was not validated by parseRuleProfile and leaves an order without a rule. */
export class NoMatchingRuleError extends Error {
  readonly code = 'no_matching_rule' as const;

  constructor(
    readonly profileId: string,
    readonly stage: RuleStage,
    readonly urgency: Urgency,
    readonly category: Category,
  ) {
    super(`profile ${profileId} has no ${stage} rule for urgency ${urgency}, category ${category}`);
    this.name = 'NoMatchingRuleError';
  }
}

/** The first rule of the stage, in the profile's order, that matches the order's urgency and category. */
export function matchRule(
  profile: RuleProfile,
  stage: RuleStage,
  urgency: Urgency,
  category: Category,
): HandlingRule {
  for (const rule of profile.rules) {
    if (rule.stage === stage && ruleMatches(rule, urgency, category)) return rule;
  }
  throw new NoMatchingRuleError(profile.id, stage, urgency, category);
}
