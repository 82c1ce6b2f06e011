/**
 * The Chinese wording of the notices, from `config/notification-templates.json`: a template per
 * change (fired, advanced, resolved, withdrawn), a `default` and optionally one per escalation
 * kind, each with a `title` (email subject, 钉钉 title), a `markdown` body (robots, email) and a
 * short `text` (SMS, the 企业微信 text that @-mentions people). `{{name}}` fills in a field of
 * {@link NoticeFields}; an unknown name is an error when the file is read, not a blank at 3 a.m.
 *
 * The fields are the order's supervision facts only: a citizen's name, phone, address or the
 * text of the complaint are not among them, so no template can put them into a message.
 */
import { z } from 'zod';
import { formatInstant } from '../calendar/format-instant';
import { maskPhone } from '../privacy/mask-personal-data';
import { describeIssues, type ValidationResult } from '../calendar/validation-result';
import type { EscalationMessage } from '../events/escalation-message';
import type { Category, Urgency } from '../events/work-order-event';
import {
  ESCALATION_KINDS,
  ESCALATION_KIND_LABELS,
  ESCALATION_LEVEL_LABELS,
  type EscalationKind,
  type EscalationLevel,
  type WithdrawalReason,
} from '../supervision/escalation';
import { NOTICE_CHANGES, type NoticeChange } from './plan-deliveries';

export const NOTICE_FIELDS = [
  'workOrderId',
  'unitName',
  'category',
  'urgency',
  'kind',
  'level',
  'levelLabel',
  'dueAt',
  'lateness',
  'firedAt',
  'changedAt',
  'link',
  'reason',
  'note',
  'withdrawalReason',
] as const;
export type NoticeField = (typeof NOTICE_FIELDS)[number];
export type NoticeFields = Record<NoticeField, string>;

export const DIGEST_FIELDS = ['count', 'items', 'digestAt', 'recipientName'] as const;
export const FAILURE_ALERT_FIELDS = [
  'workOrderId',
  'channel',
  'recipient',
  'attempts',
  'lastError',
  'link',
] as const;

const CATEGORY_LABELS: Record<Category, string> = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
};
const URGENCY_LABELS: Record<Urgency, string> = {
  life_safety: '危及生命财产安全',
  utility: '水电气热',
  urgent: '紧急',
  normal: '一般',
};
const WITHDRAWAL_LABELS: Record<WithdrawalReason, string> = {
  done_in_time: '经核实已按时办理',
  deadline_moved: '期限已延长或挂起',
  deadline_recomputed: '期限重新计算后未超时',
  order_closed: '工单已办结',
  resolved_earlier: '督办原因此前已消除',
  restated: '按完整事件记录重新认定',
};

const templateText = (max: number) => z.string().min(1).max(max);
const templateSchema = z.strictObject({
  title: templateText(200),
  markdown: templateText(3000),
  text: templateText(500),
});
export type NoticeTemplate = z.infer<typeof templateSchema>;

const perChangeSchema = z.strictObject({
  default: templateSchema,
  ...Object.fromEntries(ESCALATION_KINDS.map((kind) => [kind, templateSchema.optional()])),
}) as z.ZodType<{ default: NoticeTemplate } & Partial<Record<EscalationKind, NoticeTemplate>>>;

const templatesSchema = z.strictObject({
  note: z.string().optional(),
  changes: z.strictObject({
    fired: perChangeSchema,
    advanced: perChangeSchema,
    resolved: perChangeSchema,
    withdrawn: perChangeSchema,
  }),
  /** Level-1 digest: `item` once per change (fields of a notice), inside `markdown`/`text` as {{items}}. */
  digest: z.strictObject({
    title: templateText(200),
    markdown: templateText(3000),
    text: templateText(500),
    item: templateText(500),
  }),
  failureAlert: templateSchema,
});
export type NoticeTemplates = z.infer<typeof templatesSchema>;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

function unknownPlaceholders(text: string, allowed: readonly string[]): string[] {
  return [...text.matchAll(PLACEHOLDER)]
    .map((m) => m[1]!)
    .filter((name) => !allowed.includes(name));
}

/** Validates the templates file (parsed JSON), every problem at once. */
export function parseNoticeTemplates(json: unknown): ValidationResult<NoticeTemplates> {
  const parsed = templatesSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error) };
  const t = parsed.data;
  const errors: string[] = [];
  const check = (path: string, text: string, allowed: readonly string[]) => {
    for (const name of unknownPlaceholders(text, allowed)) {
      errors.push(`${path}: unknown placeholder {{${name}}} (known: ${allowed.join(', ')})`);
    }
  };
  for (const change of NOTICE_CHANGES) {
    for (const [key, template] of Object.entries(t.changes[change])) {
      if (template === undefined) continue;
      for (const part of ['title', 'markdown', 'text'] as const) {
        check(`changes.${change}.${key}.${part}`, template[part], NOTICE_FIELDS);
      }
    }
  }
  for (const part of ['title', 'markdown', 'text'] as const) {
    check(`digest.${part}`, t.digest[part], DIGEST_FIELDS);
    check(`failureAlert.${part}`, t.failureAlert[part], FAILURE_ALERT_FIELDS);
  }
  check('digest.item', t.digest.item, NOTICE_FIELDS);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: t };
}

/** Fills `{{name}}` from `fields`; a name without a value stays visible rather than vanishing. */
export function fillTemplate(text: string, fields: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => fields[name] ?? whole);
}

export interface RenderedNotice {
  title: string;
  markdown: string;
  text: string;
}

export function renderNotice(
  templates: NoticeTemplates,
  change: NoticeChange,
  kind: EscalationKind,
  fields: NoticeFields,
): RenderedNotice {
  const byChange = templates.changes[change];
  const template = byChange[kind] ?? byChange.default;
  return {
    title: fillTemplate(template.title, fields),
    markdown: fillTemplate(template.markdown, fields),
    text: fillTemplate(template.text, fields),
  };
}

/** What the order contributes (from the work order row): never the citizen's data. */
export interface NoticeOrderFacts {
  unitName: string;
  category: Category | null;
  urgency: Urgency | null;
}

/** `2024-03-05 10:00`: minutes are enough for a person. */
export function formatLocalMinute(at: Date, timeZone: string): string {
  return formatInstant(at, timeZone).slice(0, 16).replace('T', ' ');
}

/** `1天3小时`, `2小时5分钟`, `15分钟`: natural time, at least a minute. */
export function formatDurationZh(ms: number): string {
  const minutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days}天${hours > 0 ? `${hours}小时` : ''}`;
  if (hours > 0) return `${hours}小时${rest > 0 ? `${rest}分钟` : ''}`;
  return `${rest}分钟`;
}

/** The fields of a notice about `message`, instants in the calendar's zone. */
export function noticeFields(
  message: EscalationMessage,
  order: NoticeOrderFacts,
  orderLinkBaseUrl: string,
  timeZone: string,
): NoticeFields {
  const changedAt = new Date(message.changedAt);
  const dueAt = message.dueAt === null ? null : new Date(message.dueAt);
  let lateness = '—';
  if (dueAt !== null) {
    const ms = changedAt.getTime() - dueAt.getTime();
    lateness = ms >= 0 ? `已超时${formatDurationZh(ms)}` : `距截止${formatDurationZh(ms)}`;
  }
  const level = message.level as EscalationLevel;
  return {
    workOrderId: message.workOrderId,
    unitName: order.unitName,
    category: order.category === null ? '—' : CATEGORY_LABELS[order.category],
    urgency: order.urgency === null ? '—' : URGENCY_LABELS[order.urgency],
    kind: ESCALATION_KIND_LABELS[message.kind],
    level: String(message.level),
    levelLabel: ESCALATION_LEVEL_LABELS[level] ?? `${message.level}级督办`,
    dueAt: dueAt === null ? '—' : formatLocalMinute(dueAt, timeZone),
    lateness,
    firedAt: formatLocalMinute(new Date(message.firedAt), timeZone),
    changedAt: formatLocalMinute(changedAt, timeZone),
    link: `${orderLinkBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(message.workOrderId)}`,
    reason: maskPhoneNumbers(message.reason),
    note: message.note === undefined ? '—' : maskPhoneNumbers(message.note),
    withdrawalReason:
      message.withdrawal === undefined ? '—' : WITHDRAWAL_LABELS[message.withdrawal.reason],
  };
}

/**
 * A supervisor's note is free text: a phone number typed into it (a citizen's, say) is masked
 * before it reaches a group chat. Any run of 7 or more digits not glued to a letter counts (a
 * mobile, a landline, a mobile with a digit too many); `TJ2024030400001`, an order id, does not.
 */
export function maskPhoneNumbers(text: string): string {
  return text.replace(/(?<![A-Za-z0-9])[0-9]{7,}/g, (digits) => maskPhone(digits));
}
