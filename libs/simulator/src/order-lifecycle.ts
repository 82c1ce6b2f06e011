/**
 * One order's life as contract events, drawn from the order's own random stream: dispatch, maybe
 * a return and re-dispatch (改派), acceptance, extensions (延期), suspension (挂起), the reply and
 * its review (审核退回), callbacks (回访), verification (核实), rework (重办) and the close.
 *
 * Deadlines come from the rule profile and the working calendar, exactly as the engine computes
 * them, so "on time" and "late" here mean what they mean to the engine: most stages finish within
 * their limit, a few (traffic-mix LIFECYCLE) after it. Events are whole seconds apart by at least
 * a minute, so an order's `occurredAt` order and `sequence` order agree.
 *
 * An order whose life runs past the calendar's coverage stops there (it stays open): the
 * simulator never invents working days the calendar does not have.
 */
import {
  CalendarOutOfRangeError,
  dueFromRule,
  elapsedOnClockMs,
  matchRule,
  pushOnClock,
  ruleLimitMinutes,
  type CallbackResult,
  type Category,
  type EventOf,
  type EventType,
  type HandlingRule,
  type RuleProfile,
  type RuleStage,
  type Tag,
  type Urgency,
  type WorkingCalendar,
  type WorkOrderEvent,
} from '@hotline/core';
import type { LocalClock } from './local-clock';
import { WeightedTable, type Random } from './random';
import type { SimulatedUnit, UnitDirectory } from './simulation-units';
import {
  addressFor,
  CALLBACK_COMMENTS,
  citizenFor,
  EXCLUSION_REASONS,
  EXTENSION_REASONS,
  EXTENSION_REJECTION_REASONS,
  FLAG_NOTES,
  REOPEN_REASONS,
  REPLY_REJECTION_REASONS,
  replyFor,
  RETURN_REASONS,
  RETURN_REJECTION_REASONS,
  SUSPENSION_REASONS,
  titleFor,
} from './synthetic-text';
import {
  CALLBACK_WEIGHTS,
  CATEGORY_WEIGHTS,
  LIFECYCLE,
  PRAISE_CALLBACK_WEIGHTS,
  PRIORITY_TAG_WEIGHTS,
  REWORK_CALLBACK_WEIGHTS,
  urgencyWeights,
} from './traffic-mix';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const VERIFIER = '泰达街督查室';

/** An event with its instant as epoch ms and the order's index in the year, for ordering. */
export interface TimedEvent {
  ms: number;
  order: number;
  event: WorkOrderEvent;
}

/** The profile's rules, matched once per (stage, urgency, category). */
export class RuleBook {
  private readonly cache = new Map<RuleStage, Map<Urgency, Map<Category, HandlingRule>>>();
  constructor(private readonly profile: RuleProfile) {}

  get(stage: RuleStage, urgency: Urgency, category: Category): HandlingRule {
    let byUrgency = this.cache.get(stage);
    if (!byUrgency) {
      byUrgency = new Map<Urgency, Map<Category, HandlingRule>>();
      this.cache.set(stage, byUrgency);
    }
    let byCategory = byUrgency.get(urgency);
    if (!byCategory) {
      byCategory = new Map<Category, HandlingRule>();
      byUrgency.set(urgency, byCategory);
    }
    let rule = byCategory.get(category);
    if (!rule) {
      rule = matchRule(this.profile, stage, urgency, category);
      byCategory.set(category, rule);
    }
    return rule;
  }
}

export interface LifecycleContext {
  seed: number;
  calendar: WorkingCalendar;
  clock: LocalClock;
  rules: RuleBook;
  units: UnitDirectory;
}

const CATEGORIES = WeightedTable.of(CATEGORY_WEIGHTS);
const URGENCY_BY_MONTH = Array.from({ length: 12 }, (_, m) =>
  WeightedTable.of(urgencyWeights(m + 1)),
);
const CALLBACKS = WeightedTable.of(CALLBACK_WEIGHTS);
const REWORK_CALLBACKS = WeightedTable.of(REWORK_CALLBACK_WEIGHTS);
const PRAISE_CALLBACKS = WeightedTable.of(PRAISE_CALLBACK_WEIGHTS);
/** The first-round mix after a late reply: dissatisfaction likelier, taken from `satisfied`. */
const LATE_CALLBACKS = WeightedTable.of({
  ...CALLBACK_WEIGHTS,
  dissatisfied: CALLBACK_WEIGHTS.dissatisfied * LIFECYCLE.lateReplyDissatisfaction,
  satisfied:
    CALLBACK_WEIGHTS.satisfied -
    CALLBACK_WEIGHTS.dissatisfied * (LIFECYCLE.lateReplyDissatisfaction - 1),
});
const TAGS = WeightedTable.of(PRIORITY_TAG_WEIGHTS);

type Planned = { ms: number; type: EventType; data: WorkOrderEvent['data'] };

/** Whether a stage is finished late, and what it waits for. */
interface Stage {
  rule: HandlingRule;
  dueMs: number;
}

/** Builds one order's events; one instance per order. */
class OrderScript {
  private readonly planned: Planned[] = [];
  private last = 0;

  constructor(
    private readonly ctx: LifecycleContext,
    private readonly random: Random,
  ) {}

  run(dispatchMs: number): Planned[] {
    try {
      this.live(dispatchMs);
    } catch (error) {
      // The order's life ran past the calendar's coverage: it stops where the data stops.
      if (!(error instanceof CalendarOutOfRangeError)) throw error;
    }
    return this.planned;
  }

  private live(dispatchMs: number): void {
    const { random, ctx } = this;
    const category = CATEGORIES.pick(random);
    const month = ctx.clock.monthOf(dispatchMs);
    const urgency = (URGENCY_BY_MONTH[month - 1] ?? URGENCY_BY_MONTH[0])!.pick(random);
    let unit = ctx.units.pick(random, category, urgency);
    const title = titleFor(random, category, unit.kind);
    const address = addressFor(random);
    const order = {
      category,
      urgency,
      title,
      content: `来电人反映：${title}（${address}），请核实处理。`,
      citizen: citizenFor(random),
      address,
      tags: random.chance(LIFECYCLE.priorityOnDispatch) ? [TAGS.pick(random)] : ([] as Tag[]),
    };
    this.last = dispatchMs - MINUTE_MS;
    const dispatch = (at: number, to: SimulatedUnit) =>
      this.push('dispatched', at, { unitId: to.id, unitName: to.name, ...order });
    let segmentStart = this.at(dispatchMs);
    dispatch(segmentStart, unit);

    const acceptRule = ctx.rules.get('accept', urgency, category);
    const completeRule = ctx.rules.get('complete', urgency, category);
    const returnRule = ctx.rules.get('return_request', urgency, category);

    // 退单: the unit asks the hotline to take the order back; granted → 改派 to another unit.
    for (let segment = 1; ; segment += 1) {
      if (
        segment >= LIFECYCLE.maxSegments ||
        urgency === 'life_safety' ||
        !random.chance(LIFECYCLE.returnRequested)
      ) {
        break;
      }
      const windowDue = this.due(returnRule, segmentStart);
      const asked = Math.min(
        segmentStart + random.logBetween(10 * MINUTE_MS, 6 * HOUR_MS),
        windowDue - MINUTE_MS,
      );
      this.push('return_requested', this.at(asked), {
        reason: random.pick(RETURN_REASONS),
        basis: '《天津市政务服务便民热线管理办法》',
      });
      if (!random.chance(LIFECYCLE.returnGranted)) {
        this.push('return_rejected', this.after(30 * MINUTE_MS, 8 * HOUR_MS), {
          reason: random.pick(RETURN_REJECTION_REASONS),
        });
        break;
      }
      this.push('returned', this.after(15 * MINUTE_MS, 6 * HOUR_MS), {});
      if (!random.chance(LIFECYCLE.redispatchAfterReturn)) return; // it left the street
      unit = ctx.units.pickOther(random, category, urgency, unit.id);
      segmentStart = this.after(10 * MINUTE_MS, 3 * HOUR_MS);
      dispatch(segmentStart, unit);
    }

    // 签收
    const accept: Stage = { rule: acceptRule, dueMs: this.due(acceptRule, segmentStart) };
    this.push('accepted', this.at(this.acceptAt(segmentStart, accept, urgency)), {
      by: `${unit.name}联络员`,
    });

    // Completion clock: from the (latest) dispatch, pushed by approved extensions and pauses.
    const complete: Stage = { rule: completeRule, dueMs: this.due(completeRule, segmentStart) };
    this.extensions(complete, category);
    this.suspension(complete);

    const late = random.chance(LIFECYCLE.lateReply[urgency]);
    this.reply(complete, unit, title, late);
    let repliedLate = this.last >= complete.dueMs;

    // 审核退回: same deadline, another reply.
    for (let round = 0; round < 2; round += 1) {
      const p = round === 0 ? LIFECYCLE.replyRejected : LIFECYCLE.replyRejectedAgain;
      if (!random.chance(p)) break;
      this.push('reply_rejected', this.after(2 * HOUR_MS, 30 * HOUR_MS), {
        reason: random.pick(REPLY_REJECTION_REASONS),
      });
      this.reply(complete, unit, title, random.chance(0.15));
      repliedLate = this.last >= complete.dueMs;
    }

    if (random.chance(LIFECYCLE.spotCheck)) {
      this.push('verified', this.after(HOUR_MS, 2 * DAY_MS), {
        outcome: 'genuine',
        by: VERIFIER,
        note: '抽查核实，办理属实',
      });
    }

    // 回访, and 重办 after a dissatisfied rating.
    for (let rework = 0; ; rework += 1) {
      const mix =
        category === 'praise'
          ? PRAISE_CALLBACKS
          : rework > 0
            ? REWORK_CALLBACKS
            : repliedLate
              ? LATE_CALLBACKS
              : CALLBACKS;
      const result = mix.pick(random);
      this.push(
        'callback',
        this.at(this.daytime(this.last + random.between(2 * HOUR_MS, 48 * HOUR_MS))),
        this.callbackData(result),
      );
      if (result !== 'dissatisfied') break;
      let falseCompletion = false;
      if (random.chance(LIFECYCLE.verifyDissatisfied)) {
        falseCompletion = random.chance(LIFECYCLE.falseCompletionShare);
        this.push('verified', this.after(4 * HOUR_MS, 4 * DAY_MS), {
          outcome: falseCompletion ? 'false_completion' : 'genuine',
          by: VERIFIER,
          note: falseCompletion ? '经核实，问题未解决即答复办结' : '经核实，已按规定办理',
        });
      }
      if (
        rework >= LIFECYCLE.maxReworks ||
        !(falseCompletion || random.chance(LIFECYCLE.reworkAfterDissatisfied))
      ) {
        break;
      }
      const reopenedAt = this.after(HOUR_MS, 30 * HOUR_MS);
      this.push('reopened', reopenedAt, {
        reason: (falseCompletion ? REOPEN_REASONS[1] : REOPEN_REASONS[0]) ?? '重新办理',
      });
      const reworkStage: Stage = { rule: completeRule, dueMs: this.due(completeRule, reopenedAt) };
      this.reply(reworkStage, unit, title, random.chance(LIFECYCLE.lateReply[urgency] * 2));
      repliedLate = this.last >= reworkStage.dueMs;
    }

    this.push('closed', this.after(10 * MINUTE_MS, 36 * HOUR_MS), {});
    this.sideEvents(dispatchMs);
  }

  /** Flags and exclusions can come at any time between the dispatch and the close. */
  private sideEvents(dispatchMs: number): void {
    const { random } = this;
    const from = dispatchMs + HOUR_MS;
    const to = this.last - MINUTE_MS;
    if (to <= from) return;
    const anytime = () => Math.round(random.between(from, to) / SECOND_MS) * SECOND_MS;
    if (random.chance(LIFECYCLE.flaggedLater)) {
      const tags = [TAGS.pick(random)];
      if (random.chance(0.3)) tags.push(TAGS.pick(random));
      this.planned.push({
        ms: anytime(),
        type: 'flagged',
        data: { tags: [...new Set(tags)], note: random.pick(FLAG_NOTES) },
      });
    }
    if (random.chance(LIFECYCLE.excluded)) {
      this.planned.push({
        ms: anytime(),
        type: 'excluded',
        data: { reason: random.pick(EXCLUSION_REASONS) },
      });
    }
    // Stable: the chain keeps its order and a side event goes after a chain event at its instant.
    this.planned.sort((a, b) => a.ms - b.ms);
  }

  private acceptAt(start: number, stage: Stage, urgency: Urgency): number {
    const { random, ctx } = this;
    const limitMs = ruleLimitMinutes(stage.rule) * MINUTE_MS;
    if (random.chance(LIFECYCLE.lateAccept[urgency])) {
      const overrun =
        stage.rule.clock === 'natural'
          ? random.between(2 * MINUTE_MS, 90 * MINUTE_MS)
          : random.between(30 * MINUTE_MS, 20 * HOUR_MS);
      return Math.max(stage.dueMs, this.last) + overrun;
    }
    let desired: number;
    if (stage.rule.clock === 'natural') {
      desired = start + random.between(MINUTE_MS, 0.85 * limitMs);
    } else {
      // On a rest day the working clock starts at 00:00 of the next working day.
      const counting = ctx.calendar.firstWorkingInstantFrom(new Date(start)).getTime();
      desired =
        counting !== start && !random.chance(LIFECYCLE.dutyAcceptOnRestDay)
          ? counting + 8 * HOUR_MS + random.logBetween(MINUTE_MS, 3 * HOUR_MS)
          : this.daytime(start + random.logBetween(3 * MINUTE_MS, 8 * HOUR_MS), stage.dueMs);
    }
    return this.beforeDue(desired, stage.dueMs);
  }

  /** 延期: requested before the deadline; approved ones move it (working days or a date). */
  private extensions(stage: Stage, category: Category): void {
    const { random, ctx } = this;
    const limitMinutes = ruleLimitMinutes(stage.rule);
    if (stage.rule.clock !== 'working' || limitMinutes < 3 * 1440) return;
    const p =
      category === 'consultation' ? LIFECYCLE.extension.consultation : LIFECYCLE.extension.other;
    if (!random.chance(p)) return;
    for (let round = 0; round < 2; round += 1) {
      const asked =
        this.last + random.between(0.3, 0.8) * Math.max(stage.dueMs - this.last, HOUR_MS);
      const workdays = random.pick(LIFECYCLE.extensionWorkdays);
      const extendedMs = pushOnClock(
        ctx.calendar,
        'working',
        new Date(stage.dueMs),
        workdays * DAY_MS,
      ).getTime();
      const byDate = random.chance(LIFECYCLE.extensionUntil);
      const untilMs = Math.round(extendedMs / SECOND_MS) * SECOND_MS;
      const amount = byDate ? { until: ctx.clock.format(untilMs) } : { workdays };
      this.push('extension_requested', this.at(asked), {
        reason: random.pick(EXTENSION_REASONS),
        ...amount,
      });
      const decidedAt = this.after(HOUR_MS, 26 * HOUR_MS);
      if (!random.chance(LIFECYCLE.extensionApproved)) {
        this.push('extension_rejected', decidedAt, {
          reason: random.pick(EXTENSION_REJECTION_REASONS),
        });
        return;
      }
      this.push('extension_approved', decidedAt, amount);
      stage.dueMs = byDate ? untilMs : extendedMs;
      if (!random.chance(LIFECYCLE.secondExtension)) return;
    }
  }

  /** 挂起: the running clock pauses from `suspended` to `resumed`. */
  private suspension(stage: Stage): void {
    const { random, ctx } = this;
    // Only where there is time to pause: a suspension after the deadline pauses nothing.
    if (stage.rule.clock !== 'working' || ruleLimitMinutes(stage.rule) < 3 * 1440) return;
    if (!random.chance(LIFECYCLE.suspension)) return;
    const from = this.at(
      this.last + random.between(0.1, 0.5) * Math.max(stage.dueMs - this.last, HOUR_MS),
    );
    this.push('suspended', from, { reason: random.pick(SUSPENSION_REASONS) });
    const to = this.after(DAY_MS, 10 * DAY_MS);
    this.push('resumed', to, {});
    const paused = elapsedOnClockMs(ctx.calendar, stage.rule.clock, new Date(from), new Date(to));
    stage.dueMs = pushOnClock(
      ctx.calendar,
      stage.rule.clock,
      new Date(stage.dueMs),
      paused,
    ).getTime();
  }

  /** A reply within the stage's deadline (most of them early in the window), or after it. */
  private reply(stage: Stage, unit: SimulatedUnit, title: string, late: boolean): void {
    const { random, ctx } = this;
    const from = this.last;
    let desired: number;
    if (late || from >= stage.dueMs - 2 * MINUTE_MS) {
      const overrun =
        stage.rule.clock === 'natural'
          ? random.between(30 * MINUTE_MS, 12 * HOUR_MS)
          : random.between(2 * HOUR_MS, 3 * DAY_MS);
      desired = Math.max(stage.dueMs, from) + overrun;
    } else {
      const span = elapsedOnClockMs(
        ctx.calendar,
        stage.rule.clock,
        new Date(from),
        new Date(stage.dueMs),
      );
      const share = 0.05 + 0.85 * Math.pow(random.next(), 1.6);
      desired =
        stage.rule.clock === 'natural'
          ? from + share * span
          : this.daytime(
              ctx.calendar.addWorkingRollingMs(new Date(from), share * span).getTime(),
              stage.dueMs,
            );
      desired = this.beforeDue(desired, stage.dueMs);
    }
    this.push('replied', this.at(desired), {
      reply: replyFor(random, title),
      by: `${unit.name}经办人`,
    });
  }

  private callbackData(result: CallbackResult): EventOf<'callback'>['data'] {
    const { random } = this;
    const data: EventOf<'callback'>['data'] = { result };
    if (result === 'satisfied') data.resolved = random.chance(0.97);
    else if (result === 'basically_satisfied') data.resolved = random.chance(0.8);
    else if (result === 'dissatisfied') data.resolved = random.chance(0.15);
    const comments = CALLBACK_COMMENTS[result];
    if (comments && random.chance(0.3)) data.comment = random.pick(comments);
    return data;
  }

  private due(rule: HandlingRule, startMs: number): number {
    return dueFromRule(this.ctx.calendar, rule, new Date(startMs)).getTime();
  }

  /** `desired`, or a little before the deadline when it would miss it. */
  private beforeDue(desired: number, dueMs: number): number {
    if (desired < dueMs - MINUTE_MS) return desired;
    return Math.max(this.last + MINUTE_MS, dueMs - this.random.between(MINUTE_MS, 30 * MINUTE_MS));
  }

  /**
   * Office hours for people's actions: an instant at night moves to 08:00–09:30 that morning, unless
   * that would pass `latest` (a deadline the move must not break).
   */
  private daytime(ms: number, latest = Infinity): number {
    const offset = this.ctx.clock.offsetMs(ms);
    const local = ms + offset;
    const hour = Math.floor((local % DAY_MS) / HOUR_MS);
    if (hour >= 8 && hour < 20) return ms;
    const morning =
      Math.floor(local / DAY_MS) * DAY_MS + (hour >= 20 ? DAY_MS : 0) + 8 * HOUR_MS - offset;
    const moved = morning + this.random.between(0, 90 * MINUTE_MS);
    return moved < latest - MINUTE_MS ? moved : ms;
  }

  /** A whole-second instant not before the previous event plus a minute. */
  private at(desired: number): number {
    const ms = Math.max(Math.round(desired / SECOND_MS) * SECOND_MS, this.last + MINUTE_MS);
    this.last = ms;
    return ms;
  }

  /** An instant `min`–`max` after the previous event. */
  private after(minMs: number, maxMs: number): number {
    return this.at(this.last + this.random.between(minMs, maxMs));
  }

  private push<T extends EventType>(type: T, ms: number, data: EventOf<T>['data']): void {
    this.planned.push({ ms, type, data });
  }
}

/** The order's events in contract order, with ids and sequences. */
export function simulateOrder(
  ctx: LifecycleContext,
  random: Random,
  order: number,
  workOrderId: string,
  dispatchMs: number,
): TimedEvent[] {
  const planned = new OrderScript(ctx, random).run(dispatchMs);
  return planned.map((p, i) => ({
    ms: p.ms,
    order,
    event: {
      eventId: `sim-${ctx.seed}-${workOrderId}-${i + 1}`,
      type: p.type,
      workOrderId,
      occurredAt: ctx.clock.format(p.ms),
      sequence: i + 1,
      data: p.data,
    } as WorkOrderEvent,
  }));
}
