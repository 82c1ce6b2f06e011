import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import type { EscalationMessage } from '../events/escalation-message';
import { ESCALATION_KINDS } from '../supervision/escalation';
import { renderDigest } from './compose-notices';
import {
  formatDurationZh,
  maskPhoneNumbers,
  noticeFields,
  parseNoticeTemplates,
  renderNotice,
  type NoticeTemplates,
} from './notification-templates';
import { NOTICE_CHANGES } from './plan-deliveries';

const root = join(__dirname, '../../../..');
const file = JSON.parse(
  readFileSync(join(root, 'config/notification-templates.json'), 'utf8'),
) as Record<string, unknown>;
const parsed = parseNoticeTemplates(file);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const templates: NoticeTemplates = parsed.value;

const message: EscalationMessage = {
  escalationId: '0b6f3e4e-0000-5000-8000-000000000001',
  workOrderId: 'TJ2024030400001',
  unitId: 'teda-enforcement',
  kind: 'complete_overdue',
  level: 2,
  status: 'open',
  reason: '超时未办结：办结期限 2024-03-13 10:00',
  dueAt: '2024-03-13T10:00:00+08:00',
  firedAt: '2024-03-13T10:00:00+08:00',
  recipients: ['teda-enforcement:head'],
  version: 1,
  change: 'created',
  changedAt: '2024-03-14T12:30:00+08:00',
};
const order = {
  unitName: '泰达街综合执法大队',
  category: 'complaint' as const,
  urgency: 'normal' as const,
};
const fields = noticeFields(message, order, 'https://duban.example/work-orders/', 'Asia/Shanghai');

describe('the templates file', () => {
  it('has a template for every kind and change (a default per change)', () => {
    for (const change of NOTICE_CHANGES) {
      for (const kind of ESCALATION_KINDS) {
        const notice = renderNotice(templates, change, kind, fields);
        expect(notice.title).not.toMatch(/\{\{/);
        expect(notice.markdown).not.toMatch(/\{\{/);
        expect(notice.text).not.toMatch(/\{\{/);
      }
    }
  });

  it('refuses an unknown placeholder, naming where it is', () => {
    const broken = JSON.parse(JSON.stringify(file)) as {
      changes: { fired: { default: { text: string } } };
    };
    broken.changes.fired.default.text = '工单{{workOrderId}}，群众电话{{citizenPhone}}';
    const result = parseNoticeTemplates(broken);
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringMatching(
        /^changes\.fired\.default\.text: unknown placeholder \{\{citizenPhone\}\}/,
      ),
    ]);
  });
});

describe('a notice', () => {
  it('says 工单号, 承办单位, 事项类别, 督办类型, 截止时间, how late, the level and the link', () => {
    const notice = renderNotice(templates, 'fired', 'complete_overdue', fields);
    expect(notice.title).toBe('【超时未办结】工单TJ2024030400001');
    for (const part of [
      'TJ2024030400001',
      '泰达街综合执法大队',
      '投诉',
      '2024-03-13 10:00',
      '已超时1天2小时',
      '二级督办',
      'https://duban.example/work-orders/TJ2024030400001',
    ]) {
      expect(notice.markdown).toContain(part);
    }
    expect(notice.text).toContain('已超时1天2小时');
  });

  it('a withdrawal says why, in words', () => {
    const withdrawn = noticeFields(
      {
        ...message,
        change: 'withdrawn',
        status: 'withdrawn',
        withdrawal: {
          reason: 'done_in_time',
          evidenceEventId: 'e2',
          evidenceOccurredAt: '2024-03-13T09:58:00+08:00',
          evidenceReceivedAt: '2024-03-13T10:10:00+08:00',
        },
      },
      order,
      'https://duban.example/work-orders',
      'Asia/Shanghai',
    );
    expect(renderNotice(templates, 'withdrawn', 'complete_overdue', withdrawn).text).toBe(
      '【12345督办撤回】泰达街综合执法大队工单TJ2024030400001超时未办结已撤回（经核实已按时办理），无需处理。https://duban.example/work-orders/TJ2024030400001',
    );
  });

  it.each([
    [59_000, '1分钟'],
    [60_000 * 125, '2小时5分钟'],
    [3_600_000 * 26, '1天2小时'],
    [86_400_000 * 3, '3天'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDurationZh(ms)).toBe(text);
  });

  it('never carries a mobile number typed into a note, whatever the note', () => {
    const mobile = fc
      .tuple(fc.constantFrom('13', '15', '18', '19'), fc.stringMatching(/^[0-9]{9}$/))
      .map(([a, b]) => a + b);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        mobile,
        fc.string({ maxLength: 20 }),
        (before, phone, after) => {
          const note = `${before}群众${phone}${after}`;
          const withNote = noticeFields(
            { ...message, change: 'resolved', note },
            order,
            'https://x',
            'Asia/Shanghai',
          );
          for (const change of NOTICE_CHANGES) {
            const notice = renderNotice(templates, change, message.kind, withNote);
            expect(`${notice.title}${notice.markdown}${notice.text}`).not.toContain(phone);
          }
        },
      ),
    );
    expect(maskPhoneNumbers('回访电话13812345678已核实')).toBe('回访电话138****5678已核实');
    expect(maskPhoneNumbers('工单TJ2024030400001已核实')).toBe('工单TJ2024030400001已核实');
  });
});

describe('the digest', () => {
  it('one message listing every warning, with their count', () => {
    const items = ['TJ1', 'TJ2', 'TJ3'].map((workOrderId) => ({ ...fields, workOrderId }));
    const digest = renderDigest(templates, items, '王磊', '2024-03-04 09:00');
    expect(digest.title).toBe('【一级督办汇总】3件待处理');
    expect(digest.markdown.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(3);
    expect(digest.text).toContain('王磊');
  });
});
