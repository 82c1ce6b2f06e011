/**
 * From one escalation message to its deliveries: one per (recipient, channel). A group channel
 * (a robot, a webhook) gets one delivery per change, its recipient the group (`group:<channel>`),
 * mentioning the people of the level by mobile; a personal channel (email, SMS) one per person
 * with an address. The people are the message's own `recipients` (the worker decided them); who
 * cannot be reached on a channel is reported, never silently dropped.
 */
import type { EscalationChangeKind, EscalationMessage } from '../events/escalation-message';
import type { EscalationLevel } from '../supervision/escalation';
import {
  recipientContactsFor,
  type Organisation,
  type Recipient,
} from '../supervision/organisation';
import {
  GROUP_CHANNEL_TYPES,
  UNIT_ROBOT,
  type ChannelType,
  type NotificationRouting,
} from './notification-routing';

/** The changes people are told of; `acknowledged` is news to nobody (the unit did it). */
export const NOTICE_CHANGES = ['fired', 'advanced', 'resolved', 'withdrawn'] as const;
export type NoticeChange = (typeof NOTICE_CHANGES)[number];

export function noticeChangeOf(change: EscalationChangeKind): NoticeChange | null {
  switch (change) {
    case 'created':
      return 'fired';
    case 'advanced':
    case 'resolved':
    case 'withdrawn':
      return change;
    case 'acknowledged':
      return null;
  }
}

export type DeliveryAddress =
  | { kind: 'group'; mentionMobiles: string[] }
  | { kind: 'mobile'; mobile: string }
  | { kind: 'email'; email: string; name: string };

export interface PlannedDelivery {
  /** `group:<channel>` or the post's recipient id (`teda-enforcement:head`). */
  recipient: string;
  channel: string;
  channelType: ChannelType;
  address: DeliveryAddress;
}

export interface DeliveryPlan {
  deliveries: PlannedDelivery[];
  /** Why someone or some channel was left out (no address, no unit robot, unknown recipient). */
  skipped: string[];
}

/** Every post of the organisation by its recipient id. */
export function contactsById(org: Organisation): Map<string, Recipient> {
  const all = new Map<string, Recipient>();
  const levels: EscalationLevel[] = [1, 2, 3];
  for (const unit of org.units) {
    for (const level of levels) {
      for (const contact of recipientContactsFor(org, unit.id, level)) all.set(contact.id, contact);
    }
  }
  return all;
}

/** The channel ids of a level, `unit_robot` replaced by the unit's robot, without repeats. */
export function channelsFor(
  routing: NotificationRouting,
  unitId: string,
  level: EscalationLevel,
): { channels: string[]; skipped: string[] } {
  const channels: string[] = [];
  const skipped: string[] = [];
  for (const id of routing.levels[String(level) as '1' | '2' | '3'].channels) {
    const channel = id === UNIT_ROBOT ? routing.units[unitId]?.robot : id;
    if (channel === undefined) skipped.push(`${UNIT_ROBOT}: unit ${unitId} has no group robot`);
    else if (!channels.includes(channel)) channels.push(channel);
  }
  return { channels, skipped };
}

export function planDeliveries(
  routing: NotificationRouting,
  contacts: ReadonlyMap<string, Recipient>,
  message: Pick<EscalationMessage, 'unitId' | 'level' | 'recipients'>,
): DeliveryPlan {
  const level = message.level as EscalationLevel;
  const { channels, skipped } = channelsFor(routing, message.unitId, level);
  const people: Recipient[] = [];
  for (const id of message.recipients) {
    const contact = contacts.get(id);
    if (contact === undefined) skipped.push(`${id}: not in the organisation file`);
    else people.push(contact);
  }
  const deliveries: PlannedDelivery[] = [];
  for (const channel of channels) {
    const config = routing.channels[channel];
    if (config === undefined) continue; // checked when the file was read
    if (GROUP_CHANNEL_TYPES.includes(config.type)) {
      const mentionMobiles = people.flatMap((p) => (p.phone === null ? [] : [compact(p.phone)]));
      deliveries.push({
        recipient: `group:${channel}`,
        channel,
        channelType: config.type,
        address: { kind: 'group', mentionMobiles },
      });
      continue;
    }
    for (const person of people) {
      const address = personalAddress(config.type, person);
      if (address === null) skipped.push(`${person.id}: no ${config.type} address for ${channel}`);
      else deliveries.push({ recipient: person.id, channel, channelType: config.type, address });
    }
  }
  return { deliveries, skipped };
}

function personalAddress(type: ChannelType, person: Recipient): DeliveryAddress | null {
  if (type === 'email') {
    return person.email === null ? null : { kind: 'email', email: person.email, name: person.name };
  }
  return person.phone === null ? null : { kind: 'mobile', mobile: compact(person.phone) };
}

/** `138 0000 0001` → `13800000001`: robots and gateways want digits. */
function compact(phone: string): string {
  return phone.replace(/[\s-]/g, '');
}
