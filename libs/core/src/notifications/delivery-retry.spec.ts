import fc from 'fast-check';
import { afterFailure, rateBudget } from './delivery-retry';
import { chooseSendUnits, type DueDelivery } from './send-units';

const at = (ms: number) => new Date(Date.UTC(2024, 2, 4, 2, 0, 0) + ms);
const policy = { baseMs: 5000, maxMs: 60_000, maxAttempts: 5 };

describe('retries', () => {
  it.each([
    [1, 5000],
    [2, 10_000],
    [3, 20_000],
    [4, 40_000],
  ])('after failed attempt %i the next waits %i ms', (attempts, waitMs) => {
    expect(afterFailure(attempts, at(0), policy)).toEqual({
      status: 'failed',
      nextAttemptAt: at(waitMs),
    });
  });

  it('never waits longer than the cap, and honours a longer Retry-After', () => {
    const capped = { ...policy, maxAttempts: 50 };
    expect(afterFailure(20, at(0), capped)).toEqual({
      status: 'failed',
      nextAttemptAt: at(60_000),
    });
    expect(afterFailure(1, at(0), policy, 30_000)).toEqual({
      status: 'failed',
      nextAttemptAt: at(30_000),
    });
  });

  it('gives up after the last attempt, and at once when the channel refuses the request', () => {
    expect(afterFailure(5, at(0), policy)).toEqual({ status: 'dead' });
    expect(afterFailure(1, at(0), policy, null, true)).toEqual({ status: 'dead' });
  });
});

describe('rate limit: 20 requests in any minute', () => {
  it('allows what is left of the window and says when the next slot frees', () => {
    const sent = Array.from({ length: 20 }, (_, i) => at(i * 1000));
    expect(rateBudget(20, 60_000, sent.slice(0, 15), at(30_000))).toEqual({
      allowed: 5,
      nextFreeAt: null,
    });
    expect(rateBudget(20, 60_000, sent, at(30_000))).toEqual({
      allowed: 0,
      nextFreeAt: at(60_000),
    });
    expect(rateBudget(20, 60_000, sent, at(60_000)).allowed).toBe(1);
  });

  it('a sender that asks before each request never makes more than the limit in any window, and sends all in the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 120 }),
        (limit, arrivals) => {
          const queue = [...arrivals].sort((a, b) => a - b);
          const made: number[] = [];
          let now = 0;
          while (queue.length > 0) {
            now = Math.max(now, queue[0]!);
            const { allowed, nextFreeAt } = rateBudget(limit, 60_000, made.map(at), at(now));
            if (allowed === 0) {
              now = nextFreeAt!.getTime() - at(0).getTime();
              continue;
            }
            const ready = queue.filter((t) => t <= now).length;
            const take = Math.min(allowed, ready);
            for (let i = 0; i < take; i += 1) made.push(now);
            queue.splice(0, take);
          }
          expect(made).toHaveLength(arrivals.length);
          for (const start of made) {
            const inWindow = made.filter((t) => t >= start && t < start + 60_000).length;
            expect(inWindow).toBeLessThanOrEqual(limit);
          }
        },
      ),
    );
  });
});

describe('send units', () => {
  const due = (
    id: string,
    channel: string,
    recipient: string,
    digest: boolean,
    slot = 0,
    requests = 1,
  ): DueDelivery => ({
    id,
    channel,
    recipient,
    digest,
    notBefore: at(slot),
    requests,
  });

  it("groups a recipient's digest notices of one digest time into one message", () => {
    const units = chooseSendUnits(
      [
        due('1', 'wecom', 'group:wecom', true),
        due('2', 'wecom', 'group:wecom', true),
        due('3', 'wecom', 'group:wecom', true, 1000),
        due('4', 'wecom', 'group:wecom', false),
      ],
      new Map([['wecom', 10]]),
    );
    expect(units.map((u) => u.deliveryIds)).toEqual([['1', '2'], ['3'], ['4']]);
  });

  it('takes, per channel, only what its budget allows, in order, and nothing later jumps the queue', () => {
    const units = chooseSendUnits(
      [
        due('1', 'wecom', 'group:a', false, 0, 2),
        due('2', 'wecom', 'group:a', false, 0, 2),
        due('3', 'wecom', 'group:a', false, 0, 1),
        due('4', 'sms', 'p1', false),
      ],
      new Map([
        ['wecom', 3],
        ['sms', 1],
      ]),
    );
    expect(units.map((u) => u.deliveryIds[0])).toEqual(['1', '4']);
  });
});
