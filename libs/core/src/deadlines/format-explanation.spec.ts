import { readFileSync } from 'fs';
import { join } from 'path';
import type { WorkOrderEvent } from '../events/work-order-event';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines } from './compute-deadlines';
import { formatDuration, formatExplanation } from './format-explanation';

const root = join(__dirname, '../../../..');
const calendarParsed = parseCalendar(
  JSON.parse(readFileSync(join(root, 'config/calendars/cn-2023-2026.json'), 'utf8')),
);
const profileParsed = parseRuleProfile(
  JSON.parse(readFileSync(join(root, 'config/rule-profiles/tianjin-default.json'), 'utf8')),
);
if (!calendarParsed.ok || !profileParsed.ok) throw new Error('fixtures do not parse');

const ev = (eventId: string, type: string, local: string, data: object = {}) =>
  ({
    eventId,
    type,
    workOrderId: 'TJ20230925000042',
    occurredAt: `${local.replace(' ', 'T')}:00+08:00`,
    data,
  }) as unknown as WorkOrderEvent;

describe('formatExplanation', () => {
  it('writes a completion deadline a supervisor can check by hand, in Chinese and English', () => {
    const result = computeDeadlines(
      [
        ev('e1', 'dispatched', '2023-09-25 10:00', {
          unitId: 'teda-enforcement',
          category: 'complaint',
          urgency: 'normal',
        }),
        ev('e2', 'suspended', '2023-09-28 15:00', { reason: '等待第三方鉴定' }),
        ev('e3', 'resumed', '2023-10-07 09:00'),
        ev('e4', 'extension_approved', '2023-10-08 09:00', { workdays: 2 }),
        ev('e5', 'extension_approved', '2023-10-09 09:00', { workdays: 1 }),
        ev('e6', 'extension_approved', '2023-10-09 10:00', { workdays: 1 }),
      ],
      profileParsed.value,
      calendarParsed.value,
    );
    const text = formatExplanation(result.complete!.explanation);
    expect(text.split('\n')).toEqual([
      '办结时限 Completion deadline · 第1段 segment 1 · 第0轮 round 0 · 承办单位 unit teda-enforcement',
      '规则 Rule: complete.default · 规则集 profile tianjin-default v2025.1',
      `依据 Source: ${profileParsed.value.rules.find((rule) => rule.id === 'complete.default')?.source}`,
      '工单 Order: 紧急程度 urgency normal · 类别 category complaint',
      '起算 Start: 2023-09-25T10:00:00+08:00 派单 dispatched (event e1)',
      '时钟 Clock: 工作日，滚动计时（工作日按24小时计）working days, rolling (a working day counts 24 h) · 时限 Limit: 7 个工作日 working days',
      '不计 Not counted: 2023-09-29…2023-10-06 中秋节、国庆节假期 holiday; 2023-10-14…2023-10-15 周末 weekend',
      '调休上班，计入 Make-up workdays, counted: 2023-10-07 (中秋节、国庆节); 2023-10-08 (中秋节、国庆节)',
      '按规则 Computed: 2023-10-10T10:00:00+08:00',
      '挂起 Suspended: 2023-09-28T15:00:00+08:00 → 2023-10-07T09:00:00+08:00 恢复 resumed · 顺延 deadline moved by 18小时 (18 h) 工作时间 working time · 原因 reason: 等待第三方鉴定',
      '延期 Extension: 2023-10-08T09:00:00+08:00 延期批准 approved #1 2 个工作日 working days · 已计入 applied +2天 (2 d) 工作时间 working time: 2023-10-11T04:00:00+08:00 → 2023-10-13T04:00:00+08:00',
      '延期 Extension: 2023-10-09T09:00:00+08:00 延期批准 approved #2 1 个工作日 working days · 已计入 applied +1天 (1 d) 工作时间 working time: 2023-10-13T04:00:00+08:00 → 2023-10-16T04:00:00+08:00',
      '延期 Extension: 2023-10-09T10:00:00+08:00 延期批准 approved 1 个工作日 working days · 超出上限，未计入 refused over the cap',
      '截止 Due: 2023-10-16T04:00:00+08:00',
      '预警 Warning: 2023-10-13T04:00:00+08:00 (剩余 left 1天 (1 d) 工作时间 working time)',
    ]);
  });

  it('says a deadline on provisional days is provisional, and why', () => {
    const provisional = parseCalendar(
      JSON.parse(readFileSync(join(root, 'config/calendars/cn-2023-2026.json'), 'utf8')),
      { provisionalYears: 1 },
    );
    if (!provisional.ok) throw new Error('calendar does not parse');
    const result = computeDeadlines(
      [
        ev('e1', 'dispatched', '2026-12-28 10:00', {
          unitId: 'teda-enforcement',
          category: 'complaint',
          urgency: 'normal',
        }),
      ],
      profileParsed.value,
      provisional.value,
    );
    const text = formatExplanation(result.complete!.explanation).split('\n');
    expect(text).toContain(
      '不计 Not counted: 2027-01-01 元旦假期 holiday; 2027-01-02…2027-01-03 周末 weekend',
    );
    expect(text).toContain(
      "暂定 Provisional: 2027-01-01…2027-01-07 按《全国年节及纪念日放假办法》法定节假日推算，国务院办公厅当年放假安排通知导入后重算 computed from the statutory holidays; recomputed when that year's State Council notice is imported",
    );
    expect(text).toContain('截止 Due: 2027-01-07T10:00:00+08:00');
    expect(formatExplanation(result.accept!.explanation)).not.toContain('暂定');
  });

  it('says when a deadline was given by the event and when the clock is suspended', () => {
    const result = computeDeadlines(
      [
        ev('e1', 'dispatched', '2024-03-04 10:00', {
          unitId: 'teda-enforcement',
          category: 'help',
          urgency: 'utility',
          completeDueAt: '2024-03-04T20:00:00+08:00',
        }),
        ev('e2', 'suspended', '2024-03-04 12:00', { reason: '等待停水检修' }),
      ],
      profileParsed.value,
      calendarParsed.value,
    );
    const text = formatExplanation(result.complete!.explanation);
    expect(text).toContain(
      '指定时限 Override: 2024-03-04T20:00:00+08:00 (派单 dispatched event e1) 取代计算值 replaces the computed deadline',
    );
    expect(text).toContain('时钟 Clock: 自然时间 natural time · 时限 Limit: 24 小时 hours');
    expect(text).toContain('挂起 Suspended: 2024-03-04T12:00:00+08:00 → 至今 still suspended');
    expect(text).toContain('截止 Due: 挂起中，恢复后重新计算 suspended: recomputed when resumed');
  });

  it.each`
    minutes      | clock        | text
    ${0}         | ${'natural'} | ${'0分 (0 min)'}
    ${15}        | ${'natural'} | ${'15分 (15 min)'}
    ${3.75}      | ${'natural'} | ${'4分 (4 min)'}
    ${1080}      | ${'working'} | ${'18小时 (18 h) 工作时间 working time'}
    ${1440 + 90} | ${'natural'} | ${'1天1小时30分 (1 d 1 h 30 min)'}
  `('writes $minutes minutes on the $clock clock as $text', ({ minutes, clock, text }) => {
    expect(formatDuration(minutes as number, clock as 'natural' | 'working')).toBe(text);
  });
});
