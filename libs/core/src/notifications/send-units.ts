/**
 * What one round of the sender sends: due deliveries grouped into send units (a digest's
 * deliveries to one recipient on one channel at one digest time are one message; any other
 * delivery is a message of its own), as many per channel as its rate budget allows, oldest
 * first. What does not fit waits for the next round: queued, never dropped.
 */

export interface DueDelivery {
  id: string;
  recipient: string;
  channel: string;
  digest: boolean;
  /** The digest time (or the earliest send instant) it was scheduled for. */
  notBefore: Date;
  /** HTTP requests one message of this delivery takes (a 企业微信 notice that @-mentions: 2). */
  requests: number;
}

export interface SendUnit {
  channel: string;
  recipient: string;
  digest: boolean;
  deliveryIds: string[];
  requests: number;
}

export function chooseSendUnits(
  due: readonly DueDelivery[],
  budgetByChannel: ReadonlyMap<string, number>,
): SendUnit[] {
  const units: SendUnit[] = [];
  const digests = new Map<string, SendUnit>();
  for (const delivery of due) {
    if (delivery.digest) {
      const key = `${delivery.channel}\u0000${delivery.recipient}\u0000${delivery.notBefore.getTime()}`;
      const unit = digests.get(key);
      if (unit) {
        unit.deliveryIds.push(delivery.id);
        unit.requests = Math.max(unit.requests, delivery.requests);
        continue;
      }
      const created: SendUnit = {
        channel: delivery.channel,
        recipient: delivery.recipient,
        digest: true,
        deliveryIds: [delivery.id],
        requests: delivery.requests,
      };
      digests.set(key, created);
      units.push(created);
    } else {
      units.push({
        channel: delivery.channel,
        recipient: delivery.recipient,
        digest: false,
        deliveryIds: [delivery.id],
        requests: delivery.requests,
      });
    }
  }
  const left = new Map(budgetByChannel);
  return units.filter((unit) => {
    const budget = left.get(unit.channel) ?? 0;
    if (unit.requests > budget) {
      left.set(unit.channel, 0); // keep the order: nothing later on this channel jumps the queue
      return false;
    }
    left.set(unit.channel, budget - unit.requests);
    return true;
  });
}
