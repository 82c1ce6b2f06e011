import { readFileSync } from 'fs';
import { join } from 'path';
import type { Category, Urgency } from '../events/work-order-event';
import { matchRule, NoMatchingRuleError } from './match-rule';
import {
  parseRuleProfile,
  ruleLimitMinutes,
  type RuleProfile,
  type RuleStage,
} from './rule-profile';

const profileJson = JSON.parse(
  readFileSync(join(__dirname, '../../../../config/rule-profiles/tianjin-default.json'), 'utf8'),
) as Record<string, unknown> & { rules: Record<string, unknown>[] };

function defaultProfile(): RuleProfile {
  const parsed = parseRuleProfile(profileJson);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}

/** A deep copy of the default profile JSON with `change` applied, for the invalid cases. */
function variant(change: (json: typeof profileJson) => void): unknown {
  const copy = structuredClone(profileJson);
  change(copy);
  return copy;
}

describe('the default Tianjin profile (domain.md §3)', () => {
  const profile = defaultProfile();

  it('is identified and versioned', () => {
    expect(profile).toMatchObject({ id: 'tianjin-default', version: '2025.1' });
  });

  it('says where every rule comes from', () => {
    for (const rule of profile.rules) expect(rule.source.length).toBeGreaterThan(20);
    for (const part of [profile.rework, profile.extension, profile.warning]) {
      expect(part.source.length).toBeGreaterThan(20);
    }
  });

  it.each`
    stage               | urgency          | category          | rule                        | clock        | minutes
    ${'accept'}         | ${'life_safety'} | ${'complaint'}    | ${'accept.life_safety'}     | ${'natural'} | ${15}
    ${'accept'}         | ${'utility'}     | ${'help'}         | ${'accept.utility'}         | ${'natural'} | ${30}
    ${'accept'}         | ${'urgent'}      | ${'complaint'}    | ${'accept.default'}         | ${'working'} | ${1440}
    ${'accept'}         | ${'normal'}      | ${'consultation'} | ${'accept.default'}         | ${'working'} | ${1440}
    ${'return_request'} | ${'normal'}      | ${'report'}       | ${'return_request.default'} | ${'working'} | ${1440}
    ${'complete'}       | ${'life_safety'} | ${'consultation'} | ${'complete.emergency'}     | ${'natural'} | ${1440}
    ${'complete'}       | ${'utility'}     | ${'complaint'}    | ${'complete.emergency'}     | ${'natural'} | ${1440}
    ${'complete'}       | ${'urgent'}      | ${'consultation'} | ${'complete.urgent'}        | ${'working'} | ${1440}
    ${'complete'}       | ${'normal'}      | ${'consultation'} | ${'complete.consultation'}  | ${'working'} | ${3 * 1440}
    ${'complete'}       | ${'normal'}      | ${'complaint'}    | ${'complete.default'}       | ${'working'} | ${7 * 1440}
    ${'complete'}       | ${'normal'}      | ${'praise'}       | ${'complete.default'}       | ${'working'} | ${7 * 1440}
  `(
    'gives a $urgency $category order the $stage rule $rule ($minutes min, $clock clock)',
    ({ stage, urgency, category, rule, clock, minutes }) => {
      const matched = matchRule(
        profile,
        stage as RuleStage,
        urgency as Urgency,
        category as Category,
      );
      expect(matched).toMatchObject({ id: rule, clock, convention: 'rolling' });
      expect(ruleLimitMinutes(matched)).toBe(minutes);
    },
  );

  it('caps extensions at 2 approvals and 10 working days, and warns at 25% capped at 1 working day', () => {
    expect(profile.extension).toMatchObject({ maxApprovals: 2, maxTotalWorkingDays: 10 });
    expect(profile.warning).toMatchObject({ fraction: 0.25, capWorkingDays: 1 });
    expect(profile.rework.restart).toBe('completion_limit_from_reopened');
  });
});

describe('parseRuleProfile', () => {
  it('lists every problem at once', () => {
    const parsed = parseRuleProfile(
      variant((json) => {
        json.version = '';
        const [lifeSafety, utility, acceptDefault] = json.rules as [
          Record<string, unknown>,
          Record<string, unknown>,
          Record<string, unknown>,
        ];
        lifeSafety.limit = { value: 15, unit: 'working_days' };
        utility.convention = 'next_day';
        acceptDefault.source = ' ';
        json.warning = { fraction: 1.5, capWorkingDays: 1, source: 'the street' };
      }),
    );
    expect(parsed).toEqual({
      ok: false,
      errors: [
        'version: Too small: expected string to have >=1 characters',
        'rules[0].limit.unit: a natural clock takes minutes or hours or days, not working_days',
        'rules[1].convention: next_day (次日起 N 个工作日) needs the working clock and working_days',
        'rules[2].source: say where the rule comes from',
        'warning.fraction: Too big: expected number to be <=1',
      ],
    });
  });

  it.each([
    [
      'an order left without a rule',
      (json: typeof profileJson) => {
        json.rules = json.rules.filter((rule) => rule.id !== 'complete.default');
      },
      'rules: no complete rule matches urgency normal, category help',
    ],
    [
      'a rule that can never match',
      (json: typeof profileJson) => {
        json.rules.push({ ...json.rules[2], id: 'accept.never' });
      },
      'rules[8]: accept.never is never used; earlier accept rules match every order it matches',
    ],
    [
      'a repeated rule id',
      (json: typeof profileJson) => {
        json.rules.unshift({ ...json.rules[0] });
      },
      'rules[1].id: accept.life_safety is already used by rules[0]',
    ],
    [
      'a misspelt key',
      (json: typeof profileJson) => {
        json.extension = {
          maxApprovals: 2,
          maxTotalWorkingDay: 10,
          source: 'local practice, published',
        };
      },
      'extension: Unrecognized key: "maxTotalWorkingDay"',
    ],
    [
      'a fractional next_day limit',
      (json: typeof profileJson) => {
        json.rules[7] = {
          ...json.rules[7],
          convention: 'next_day',
          limit: { value: 7.5, unit: 'working_days' },
        };
      },
      'rules[7].limit.value: next_day counts whole working days',
    ],
  ])('rejects %s', (_, change, error) => {
    const parsed = parseRuleProfile(variant(change));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toContain(error);
  });

  it('accepts a next_day rule over whole working days', () => {
    const parsed = parseRuleProfile(
      variant((json) => {
        json.rules[7] = { ...json.rules[7], convention: 'next_day' };
      }),
    );
    expect(parsed.ok).toBe(true);
  });
});

describe('matchRule', () => {
  it('throws a coded error when a hand-built profile has no rule for an order', () => {
    const profile = { ...defaultProfile(), rules: [] };
    expect(() => matchRule(profile, 'accept', 'normal', 'help')).toThrow(NoMatchingRuleError);
  });
});
