/**
 * One escalation message → the notices to record: who (plan-deliveries), what (the templates),
 * when (delivery-timing). A digest is put together when it is sent, from the fields each of its
 * notices recorded; a delivery given up on becomes an alert to the 督查室 on another channel.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { EscalationMessage } from '../events/escalation-message';
import type { Recipient } from '../supervision/organisation';
import { noticeTiming } from './delivery-timing';
import type { ChannelType, NotificationRouting } from './notification-routing';
import {
  fillTemplate,
  noticeFields,
  renderNotice,
  type NoticeFields,
  type NoticeOrderFacts,
  type NoticeTemplates,
  type RenderedNotice,
} from './notification-templates';
import {
  noticeChangeOf,
  planDeliveries,
  type DeliveryAddress,
  type NoticeChange,
} from './plan-deliveries';

export interface ComposedNotice {
  recipient: string;
  channel: string;
  channelType: ChannelType;
  address: DeliveryAddress;
  change: NoticeChange;
  fields: NoticeFields;
  notice: RenderedNotice;
  digest: boolean;
  notBefore: Date;
}

export interface NoticeContext {
  routing: NotificationRouting;
  templates: NoticeTemplates;
  contacts: ReadonlyMap<string, Recipient>;
  /** Channels with their secrets set; the others are reported as skipped. */
  enabledChannels: ReadonlySet<string>;
  timeZone: string;
  calendar: WorkingCalendar;
}

export function composeNotices(
  context: NoticeContext,
  message: EscalationMessage,
  order: NoticeOrderFacts,
  now: Date,
): { notices: ComposedNotice[]; skipped: string[] } {
  const change = noticeChangeOf(message.change);
  if (change === null) return { notices: [], skipped: [] };
  const plan = planDeliveries(context.routing, context.contacts, message);
  const fields = noticeFields(message, order, context.routing.orderLinkBaseUrl, context.timeZone);
  const notice = renderNotice(context.templates, change, message.kind, fields);
  const timing = noticeTiming(
    context.routing,
    { level: message.level, urgency: order.urgency },
    now,
    context.calendar,
  );
  const skipped = [...plan.skipped];
  const notices: ComposedNotice[] = [];
  for (const delivery of plan.deliveries) {
    if (!context.enabledChannels.has(delivery.channel)) {
      skipped.push(`${delivery.channel}: off (its secrets are not set)`);
      continue;
    }
    notices.push({
      ...delivery,
      change,
      fields,
      notice,
      digest: timing.digest,
      notBefore: timing.sendAt,
    });
  }
  return { notices, skipped };
}

/** One message out of a digest's notices (in the order given), `digestAt` local. */
export function renderDigest(
  templates: NoticeTemplates,
  items: readonly Readonly<Record<string, string>>[],
  recipientName: string,
  digestAt: string,
): RenderedNotice {
  const lines = items.map((fields) => fillTemplate(templates.digest.item, fields)).join('\n');
  const fields = { count: String(items.length), items: lines, digestAt, recipientName };
  return {
    title: fillTemplate(templates.digest.title, fields),
    markdown: fillTemplate(templates.digest.markdown, fields),
    text: fillTemplate(templates.digest.text, fields),
  };
}

export interface FailedDelivery {
  workOrderId: string;
  channel: string;
  recipient: string;
  attempts: number;
  lastError: string;
  link: string;
}

/**
 * The alert about a delivery given up on: to the 督查室 through `failureAlert.channel` (one post
 * for a group channel, one per office contact with an address otherwise). Null when no alert
 * channel is configured or it is the channel that failed (it would fail again).
 */
export function composeFailureAlert(
  context: Pick<NoticeContext, 'routing' | 'templates' | 'contacts' | 'enabledChannels'>,
  failed: FailedDelivery,
): Omit<ComposedNotice, 'change' | 'digest' | 'notBefore' | 'fields'>[] | null {
  const alert = context.routing.failureAlert;
  if (alert === undefined || alert.channel === failed.channel) return null;
  if (!context.enabledChannels.has(alert.channel)) return null;
  const office = [...context.contacts.values()].filter((c) => c.post === 'supervision_office');
  const plan = planDeliveries(
    {
      ...context.routing,
      levels: { ...context.routing.levels, '2': { channels: [alert.channel], digest: false } },
    },
    context.contacts,
    { unitId: '', level: 2, recipients: office.map((c) => c.id) },
  );
  const fields = {
    workOrderId: failed.workOrderId,
    channel: failed.channel,
    recipient: failed.recipient,
    attempts: String(failed.attempts),
    lastError: failed.lastError,
    link: failed.link,
  };
  const t = context.templates.failureAlert;
  const notice = {
    title: fillTemplate(t.title, fields),
    markdown: fillTemplate(t.markdown, fields),
    text: fillTemplate(t.text, fields),
  };
  return plan.deliveries.map((delivery) => ({ ...delivery, notice }));
}
