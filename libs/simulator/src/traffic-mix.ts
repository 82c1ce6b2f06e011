/**
 * The traffic mix: how many orders, when, of what kind, to whom, and how their lives go. The
 * numbers are judgement calls for a sub-district like TEDA Street (≈11,000 orders a year, ≈94%
 * satisfaction), from the shape of published 12345 annual reports (complaints and requests for
 * help dominate; consultations are mostly answered by the hotline itself and reach a street less
 * often; praise is rare) and from what the rules imply (limits are mostly met: units are assessed
 * on them). They are here, in one place, so that a different street can be simulated by changing
 * data, not code. Probabilities are per order unless said otherwise.
 */
import type { CallbackResult, Category, Tag, Urgency } from '@hotline/core';
import type { DayKind } from '@hotline/core';

/** 投诉 and 求助 are two thirds of a street's orders; 表扬 a few per hundred. */
export const CATEGORY_WEIGHTS: Readonly<Record<Category, number>> = {
  complaint: 36.5,
  help: 31,
  consultation: 15,
  report: 8,
  suggestion: 7,
  praise: 2.5,
};

/**
 * Urgency: mostly normal; 紧急 about one in twelve; 水电气热 a few per hundred (more in the heating
 * season and the summer peak, see urgencyWeights); 危及生命财产安全 rare.
 */
export const URGENCY_WEIGHTS: Readonly<Record<Urgency, number>> = {
  normal: 88,
  urgent: 8,
  utility: 3,
  life_safety: 1,
};

/** Tianjin's heating season runs 1 November – 15 March; July and August bring water and power calls. */
export function urgencyWeights(month: number): Readonly<Record<Urgency, number>> {
  const utilityFactor = month >= 11 || month <= 3 ? 1.6 : month === 7 || month === 8 ? 1.3 : 0.7;
  return { ...URGENCY_WEIGHTS, utility: URGENCY_WEIGHTS.utility * utilityFactor };
}

export const UNIT_KINDS = ['enforcement', 'property', 'utility', 'service', 'community'] as const;
/**
 * What a handling unit does: 综合执法大队 (noise, construction, street trading: complaints and
 * reports), the property and utility groups (repairs, heating, water), 便民服务中心 (policy
 * questions), 社区 (neighbourhood matters of every kind).
 */
export type UnitKind = (typeof UNIT_KINDS)[number];

/**
 * Which kind of unit gets an order of a category. Overall this gives roughly: enforcement 23%,
 * property 22%, utility 12%, service centre 12%, communities 32% (about 5% each).
 */
export const UNIT_KIND_BY_CATEGORY: Readonly<Record<Category, Readonly<Record<UnitKind, number>>>> =
  {
    complaint: { enforcement: 38, property: 22, utility: 5, service: 3, community: 32 },
    help: { enforcement: 5, property: 30, utility: 15, service: 10, community: 40 },
    consultation: { enforcement: 8, property: 12, utility: 10, service: 40, community: 30 },
    report: { enforcement: 70, property: 5, utility: 2, service: 3, community: 20 },
    suggestion: { enforcement: 15, property: 20, utility: 10, service: 25, community: 30 },
    praise: { enforcement: 10, property: 25, utility: 10, service: 20, community: 35 },
  };

/** Urgency overrides the category: 水电气热 go to the utility group, emergencies to enforcement. */
export const UNIT_KIND_BY_URGENCY: Partial<
  Readonly<Record<Urgency, Readonly<Record<UnitKind, number>>>>
> = {
  utility: { enforcement: 0, property: 20, utility: 75, service: 0, community: 5 },
  life_safety: { enforcement: 50, property: 20, utility: 0, service: 0, community: 30 },
};

/** The kinds synthesized units take in turn when more units are asked for than configured. */
export const SYNTHETIC_UNIT_KIND_CYCLE: readonly UnitKind[] = [
  'community',
  'community',
  'property',
  'enforcement',
  'community',
  'utility',
  'service',
];

/**
 * Calls by hour of the day (local): a morning peak 9–11, a dip at lunch, an afternoon peak
 * 14–17, a long evening tail; the hotline runs 24 hours, so nights are quiet but not empty.
 */
export const HOUR_WEIGHTS: readonly number[] = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.15, 0.4, 1.0, 2.2, 3.3, 3.4, 2.9, 1.8, 1.9, 2.8, 3.0, 2.8, 2.2,
  1.6, 1.4, 1.2, 0.9, 0.6, 0.4,
];

/**
 * Orders a day relative to an ordinary workday. Weekends and holidays bring fewer calls (offices
 * closed, people away); the Spring Festival fewest. A make-up workday (调休上班) is almost a
 * workday. The first two working days after a long break catch up on what waited.
 */
export const DAY_KIND_WEIGHTS: Readonly<Record<DayKind, number>> = {
  workday: 1,
  makeup_workday: 0.9,
  weekend: 0.6,
  holiday: 0.45,
};
export const SPRING_FESTIVAL_WEIGHT = 0.3;
export const SPRING_FESTIVAL_NAME = '春节';
export const AFTER_LONG_BREAK_WEIGHT = 1.3;
/** A break of this many non-working days or more is "long". */
export const LONG_BREAK_DAYS = 3;
/** ± noise on each day's volume, so that no two Tuesdays look alike. */
export const DAILY_NOISE = 0.15;

/** Seasonality by month (index 0 = January): summer (heat, water, noise at night) is busiest. */
export const MONTH_WEIGHTS: readonly number[] = [
  0.9, 0.85, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.0, 0.95, 1.05, 1.0,
];

/** Lifecycle probabilities. */
export const LIFECYCLE = {
  /** Tagged 重点/热点/… on dispatch; flagged later. */
  priorityOnDispatch: 0.012,
  flaggedLater: 0.008,
  /** 不计考核: duplicates, not the street's remit, malicious. */
  excluded: 0.006,
  /** 退单 requested by the unit; granted (returned) or rejected. */
  returnRequested: 0.04,
  returnGranted: 0.7,
  /** After a return, the hotline re-dispatches to another of the street's units (改派). */
  redispatchAfterReturn: 0.85,
  /** At most this many responsibility segments per order. */
  maxSegments: 3,
  /** Acceptance later than the limit, by urgency: emergencies are tighter (15/30 minutes). */
  lateAccept: { life_safety: 0.05, utility: 0.05, urgent: 0.03, normal: 0.025 },
  /** Orders dispatched on a non-working day that a duty officer accepts the same day. */
  dutyAcceptOnRestDay: 0.5,
  /** 延期 requests on orders with a working-day limit of 3 days or more. */
  extension: { consultation: 0.015, other: 0.05 },
  extensionApproved: 0.78,
  secondExtension: 0.1,
  extensionWorkdays: [3, 5, 5, 5, 7, 10] as readonly number[],
  extensionUntil: 0.1,
  /** 挂起: waiting for an appraisal, a third party, the citizen. */
  suspension: 0.015,
  /** A reply after the (extended, paused) completion deadline, by urgency. */
  lateReply: { life_safety: 0.06, utility: 0.06, urgent: 0.08, normal: 0.04 },
  /** 审核退回: the hotline's reviewer sends the reply back; a second time rarely. */
  replyRejected: 0.04,
  replyRejectedAgain: 0.1,
  /** Spot checks (核实) of replied orders that find them genuine. */
  spotCheck: 0.004,
  /** After 不满意: verified by the street; the share of those found 虚假办结; rework (重办). */
  verifyDissatisfied: 0.15,
  falseCompletionShare: 0.4,
  reworkAfterDissatisfied: 0.2,
  maxReworks: 2,
  /** A late reply makes dissatisfaction this many times likelier. */
  lateReplyDissatisfaction: 2,
} as const;

/**
 * The callback (回访) mix. First round: satisfied ≫ basically satisfied > dissatisfied, with a few
 * unreachable and declined. (81.5 + 8.5) ÷ (81.5 + 8.5 + 6.5) ≈ 93.3% on first ratings; a fifth
 * of the dissatisfied are reworked and rated again (worse than first ratings), so under the
 * default formula (the latest rating counts; unreachable and declined are not in the denominator)
 * a simulated year comes out near 94.4%, the street's published figure (94.37%).
 */
export const CALLBACK_WEIGHTS: Readonly<Record<CallbackResult, number>> = {
  satisfied: 81.5,
  basically_satisfied: 8.5,
  dissatisfied: 6.5,
  unreachable: 4.2,
  declined: 1.2,
};
/** After a rework: the citizen is harder to please. */
export const REWORK_CALLBACK_WEIGHTS: Readonly<Record<CallbackResult, number>> = {
  satisfied: 50,
  basically_satisfied: 22,
  dissatisfied: 22,
  unreachable: 5,
  declined: 1,
};
/** Someone who called to praise rarely rates the reply badly. */
export const PRAISE_CALLBACK_WEIGHTS: Readonly<Record<CallbackResult, number>> = {
  satisfied: 93,
  basically_satisfied: 2,
  dissatisfied: 0,
  unreachable: 4,
  declined: 1,
};

export const PRIORITY_TAG_WEIGHTS: Readonly<Record<Tag, number>> = {
  key: 30,
  hot: 25,
  difficult: 20,
  wide_scope: 10,
  high_impact: 8,
  leader_instructed: 7,
};
