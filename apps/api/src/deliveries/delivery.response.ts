import { formatInstant } from '@hotline/core';
import type { Delivery } from '@hotline/persistence';

/**
 * One delivery of a notice: where it stands, not what it said or where it went (the mobile
 * numbers and addresses of staff stay in the database; the recipient is named by post).
 */
export function toDeliveryResponse(d: Delivery, timeZone: string) {
  const at = (value: Date | null) => (value === null ? null : formatInstant(value, timeZone));
  return {
    id: d.id,
    escalationId: d.escalationId,
    version: d.version,
    change: d.change,
    purpose: d.purpose,
    workOrderId: d.workOrderId,
    level: d.level,
    recipient: d.recipient,
    channel: d.channel,
    channelType: d.channelType,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    digest: d.digest,
    notBefore: at(d.notBefore),
    nextAttemptAt: d.status === 'pending' || d.status === 'failed' ? at(d.nextAttemptAt) : null,
    lastAttemptAt: at(d.lastAttemptAt),
    sentAt: at(d.sentAt),
    createdAt: at(d.createdAt),
  };
}
