/**
 * A deadline explanation as text, Chinese and English side by side, for the API and the CLI.
 * The structured DeadlineExplanation stays the source of truth; this only renders it.
 */
import { epochDayOf } from '../calendar/day-on';
import { formatInstant } from '../calendar/format-instant';
import type { ClockKind, LimitUnit, RuleStage } from '../rules/rule-profile';
import type {
  DeadlineExplanation,
  ExtensionResult,
  PauseEndReason,
  SkippedDay,
} from './deadline-result';

const STAGE_LABELS: Record<RuleStage, string> = {
  accept: '签收时限 Acceptance deadline',
  complete: '办结时限 Completion deadline',
  return_request: '退单申请时限 Return-request deadline',
};

const UNIT_LABELS: Record<LimitUnit, string> = {
  minutes: '分钟 minutes',
  hours: '小时 hours',
  days: '天 days',
  working_hours: '工作小时 working hours',
  working_days: '个工作日 working days',
};

const EXTENSION_LABELS: Record<ExtensionResult, string> = {
  requested: '申请 requested',
  rejected: '驳回 rejected',
  applied: '已计入 applied',
  capped: '超出累计上限，部分计入 capped at the total limit',
  refused_over_cap: '超出上限，未计入 refused over the cap',
  no_effect: '未改变时限 no effect',
};

const PAUSE_END_LABELS: Record<PauseEndReason, string> = {
  resumed: '恢复 resumed',
  replied: '答复 replied',
  returned: '退回 returned',
  closed: '结案 closed',
  redispatched: '改派 re-dispatched',
  reopened: '重办 reopened',
};

/**
 * `1天2小时30分 (1 d 2 h 30 min)`; fractions of a minute are rounded. On the working clock a
 * day is a working day's 24 h of working time, said so by the suffix.
 */
export function formatDuration(minutes: number, clock: ClockKind = 'natural'): string {
  const text = naturalDuration(minutes);
  return clock === 'working' ? `${text} 工作时间 working time` : text;
}

function naturalDuration(minutes: number): string {
  const total = Math.round(minutes);
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const rest = total % 60;
  if (total === 0) return '0分 (0 min)';
  const zh = `${days ? `${days}天` : ''}${hours ? `${hours}小时` : ''}${rest ? `${rest}分` : ''}`;
  const en = [days ? `${days} d` : '', hours ? `${hours} h` : '', rest ? `${rest} min` : '']
    .filter((part) => part !== '')
    .join(' ');
  return `${zh} (${en})`;
}

/** Consecutive days of the same kind and name as `from…to` ranges. */
function groupDays(days: readonly SkippedDay[]): string[] {
  const groups: { from: string; to: string; last: number; day: SkippedDay }[] = [];
  for (const day of days) {
    const epochDay = epochDayOf(day.dayOn) ?? Number.NaN;
    const current = groups[groups.length - 1];
    if (
      current !== undefined &&
      current.last + 1 === epochDay &&
      current.day.kind === day.kind &&
      current.day.name === day.name
    ) {
      current.to = day.dayOn;
      current.last = epochDay;
    } else {
      groups.push({ from: day.dayOn, to: day.dayOn, last: epochDay, day });
    }
  }
  return groups.map(({ from, to, day }) => {
    const range = from === to ? from : `${from}…${to}`;
    const why = day.kind === 'holiday' ? `${day.name ?? ''}假期 holiday` : '周末 weekend';
    return `${range} ${why}`;
  });
}

export function formatExplanation(explanation: DeadlineExplanation): string {
  const e = explanation;
  const at = (date: Date) => formatInstant(date, e.timeZone);
  const lines: string[] = [];
  lines.push(
    `${STAGE_LABELS[e.stage]} · 第${e.segment}段 segment ${e.segment} · 第${e.round}轮 round ${e.round} · 承办单位 unit ${e.unitId}`,
  );
  lines.push(`规则 Rule: ${e.rule.id} · 规则集 profile ${e.profile.id} v${e.profile.version}`);
  lines.push(`依据 Source: ${e.rule.source}`);
  lines.push(`工单 Order: 紧急程度 urgency ${e.order.urgency} · 类别 category ${e.order.category}`);
  const startLabel = e.start.event === 'dispatched' ? '派单 dispatched' : '重办 reopened';
  lines.push(`起算 Start: ${at(e.start.at)} ${startLabel} (event ${e.start.eventId})`);
  if (e.start.countingFromAt.getTime() !== e.start.at.getTime()) {
    lines.push(`计时自 Counting from: ${at(e.start.countingFromAt)}`);
  }
  const clock =
    e.clock === 'natural'
      ? '自然时间 natural time'
      : e.convention === 'next_day'
        ? '工作日，次日起算至第N个工作日24时 working days, from the next day to the end of the Nth working day'
        : '工作日，滚动计时（工作日按24小时计）working days, rolling (a working day counts 24 h)';
  lines.push(`时钟 Clock: ${clock} · 时限 Limit: ${e.limit.value} ${UNIT_LABELS[e.limit.unit]}`);
  if (e.skippedDays.length > 0) {
    lines.push(`不计 Not counted: ${groupDays(e.skippedDays).join('; ')}`);
  }
  if (e.provisional !== null) {
    const { fromOn, toOn } = e.provisional;
    lines.push(
      `暂定 Provisional: ${fromOn === toOn ? fromOn : `${fromOn}…${toOn}`} 按《全国年节及纪念日放假办法》法定节假日推算，` +
        '国务院办公厅当年放假安排通知导入后重算 computed from the statutory holidays; ' +
        "recomputed when that year's State Council notice is imported",
    );
  }
  if (e.makeUpWorkdays.length > 0) {
    const days = e.makeUpWorkdays.map((day) => `${day.dayOn}${day.name ? ` (${day.name})` : ''}`);
    lines.push(`调休上班，计入 Make-up workdays, counted: ${days.join('; ')}`);
  }
  lines.push(
    e.computedDueAt === null
      ? '按规则 Computed: 日历未覆盖，以指定时限为准 not covered by the calendar; the override stands'
      : `按规则 Computed: ${at(e.computedDueAt)}`,
  );
  if (e.override !== null) {
    const by = e.override.event === 'dispatched' ? '派单 dispatched' : '重办 reopened';
    lines.push(
      `指定时限 Override: ${at(e.override.dueAt)} (${by} event ${e.override.eventId}) 取代计算值 replaces the computed deadline`,
    );
  }
  for (const pause of e.pauses) {
    const until =
      pause.toAt === null
        ? '至今 still suspended'
        : `${at(pause.toAt)} ${pause.endedBy ? PAUSE_END_LABELS[pause.endedBy] : ''}`.trim();
    const effect = pause.effective
      ? `顺延 deadline moved by ${formatDuration(pause.pausedMinutes, e.clock)}`
      : '已超时，不顺延 after the deadline, nothing paused';
    lines.push(
      `挂起 Suspended: ${at(pause.fromAt)} → ${until} · ${effect} · 原因 reason: ${pause.reason}`,
    );
  }
  for (const extension of e.extensions) {
    const amount =
      extension.workdays !== null
        ? `${extension.workdays} 个工作日 working days`
        : extension.untilAt !== null
          ? `至 until ${at(extension.untilAt)}`
          : '';
    const kind =
      extension.event === 'extension_requested'
        ? '延期申请 requested'
        : extension.event === 'extension_rejected'
          ? '延期驳回 rejected'
          : `延期批准 approved${extension.approvalNumber === null ? '' : ` #${extension.approvalNumber}`}`;
    let line = `延期 Extension: ${at(extension.at)} ${kind} ${amount}`.trim();
    if (extension.event === 'extension_approved') {
      line += ` · ${EXTENSION_LABELS[extension.result]}`;
      if (extension.appliedWorkingMinutes > 0 && extension.dueBeforeAt && extension.dueAfterAt) {
        line += ` +${formatDuration(extension.appliedWorkingMinutes, 'working')}: ${at(extension.dueBeforeAt)} → ${at(extension.dueAfterAt)}`;
      }
    }
    lines.push(line);
  }
  lines.push(
    e.dueAt === null
      ? '截止 Due: 挂起中，恢复后重新计算 suspended: recomputed when resumed'
      : `截止 Due: ${at(e.dueAt)}`,
  );
  if (e.warning !== null) {
    lines.push(
      `预警 Warning: ${at(e.warning.at)} (剩余 left ${formatDuration(e.warning.leftMinutes, e.clock)})`,
    );
  }
  return lines.join('\n');
}
