/**
 * The level-1 digest, on the real broker and database, with the notifier's clock started just
 * before 09:00 (CLOCK_START_AT): 30 warnings fired between 07:00 and 08:30 on a working day reach
 * each recipient as one digest at 09:00 — one 企业微信 post (and its @-mention) and one email — and
 * nothing before; the same warnings on a holiday (National Day 2024) wait for the first working
 * day, 10-08 at 09:00.
 */
import { randomUUID } from 'node:crypto';
import { escalationMessage } from '@hotline/core';
import {
  createWorkerEnvironment,
  produceRaw,
  startWorker,
  waitFor,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import {
  startChannelEndpoints,
  startSmtpSink,
  type ChannelEndpoints,
  type SmtpSink,
} from '@hotline/testing/channel-endpoints';
import { EMAILS, PHONES, notifierEnvironment, notifierOrganisation } from './notifier-fixture';

const bj = (local: string) => new Date(`${local}+08:00`);

/** 30 accept warnings of one day, 07:00 to 08:27, three minutes apart. */
function warnings(dayOn: string) {
  return Array.from({ length: 30 }, (_, i) => {
    const at = new Date(bj(`${dayOn}T07:00:00`).getTime() + i * 180_000);
    return escalationMessage(
      {
        escalationId: randomUUID(),
        workOrderId: `TJ${dayOn.replace(/-/g, '')}${String(i + 1).padStart(5, '0')}`,
        unitId: 'teda-enforcement',
        kind: 'accept_warning',
        status: 'open',
        reason: '接单预警',
        dueAt: new Date(at.getTime() + 6 * 3_600_000),
        firedAt: at,
        version: 1,
        level: 1,
        recipients: ['teda-enforcement:liaison'],
      },
      { change: 'created', at },
      'Asia/Shanghai',
    );
  });
}

interface Setup {
  run: WorkerEnvironment;
  endpoints: ChannelEndpoints;
  smtp: SmtpSink;
  notifier: WorkerProcess;
}

async function setUp(name: string, dayOn: string): Promise<Setup> {
  const [run, endpoints, smtp] = await Promise.all([
    createWorkerEnvironment(name),
    startChannelEndpoints(),
    startSmtpSink(),
  ]);
  const organisation = notifierOrganisation(endpoints.url, {
    levels: {
      '1': { channels: ['unit_robot', 'email'], digest: true },
      '2': { channels: ['sms'] },
      '3': { channels: ['sms'] },
    },
  });
  await produceRaw(
    run.topics.escalations,
    warnings(dayOn).map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
  );
  const notifier = await startWorker(
    {
      ...run.env,
      ...notifierEnvironment(organisation, smtp.url),
      NOTIFIER_GROUP_ID: `${run.topics.escalations}-notifier`,
      // The notifier starts its day 45 seconds before the 09:00 digest.
      CLOCK_START_AT: `${dayOn}T08:59:15+08:00`,
    },
    'notifier',
  );
  return { run, endpoints, smtp, notifier };
}

const rows = async (setup: Setup) =>
  (
    await setup.run.sql.query<{
      status: string;
      channel: string;
      not_before: Date;
      sent_at: Date | null;
    }>(`SELECT status, channel, not_before, sent_at FROM notification_deliveries ORDER BY id`)
  ).rows;

describe('the level-1 digest', () => {
  let workday: Setup;
  let holiday: Setup;

  beforeAll(async () => {
    [workday, holiday] = await Promise.all([
      setUp('digest-workday', '2024-03-04'),
      setUp('digest-holiday', '2024-10-01'),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const setup of [workday, holiday]) {
      await setup?.notifier.stop();
      await setup?.endpoints.close();
      await setup?.smtp.close();
      await setup?.run.dispose();
    }
  });

  it('30 warnings before 08:30 on a working day: one digest per recipient at 09:00, none before; none on a holiday', async () => {
    // Both record their 60 deliveries (30 × robot and email) while their clocks are before 09:00.
    for (const setup of [workday, holiday]) {
      await waitFor(
        'the warnings recorded',
        async () => ((await rows(setup)).length === 60 ? true : undefined),
        60_000,
      );
    }
    const planned = await rows(workday);
    expect(new Set(planned.map((r) => r.not_before.toISOString()))).toEqual(
      new Set([bj('2024-03-04T09:00:00').toISOString()]),
    );

    const sent = await waitFor(
      'the digest at 09:00',
      async () => {
        const all = await rows(workday);
        return all.every((r) => r.status === 'sent') ? all : undefined;
      },
      90_000,
    );
    // Sent by the notifier's clock at 09:00 (claimed only once due), not before, not much after.
    for (const row of sent) {
      expect(row.sent_at!.getTime()).toBeGreaterThanOrEqual(bj('2024-03-04T09:00:00').getTime());
      expect(row.sent_at!.getTime()).toBeLessThan(bj('2024-03-04T09:01:00').getTime());
    }
    // One robot post with its @-mention, one email: each the 30 warnings together.
    const posts = endpoints(workday);
    expect(posts).toHaveLength(2);
    const markdown = JSON.parse(posts[0]!.body) as {
      msgtype: string;
      markdown: { content: string };
    };
    expect(markdown.msgtype).toBe('markdown');
    expect(markdown.markdown.content).toContain('【一级督办汇总】2024-03-04 09:00');
    expect(markdown.markdown.content).toContain('30件');
    expect(Buffer.byteLength(markdown.markdown.content)).toBeLessThanOrEqual(4096);
    const text = JSON.parse(posts[1]!.body) as {
      text: { content: string; mentioned_mobile_list: string[] };
    };
    expect(text.text.mentioned_mobile_list).toEqual([PHONES.liaison]);
    expect(workday.smtp.mails).toHaveLength(1);
    expect(workday.smtp.mails[0]!.to).toEqual([EMAILS.liaison]);
    expect(workday.smtp.mails[0]!.subject).toBe('【一级督办汇总】30件待处理');
    // Sent together, per channel one instant.
    for (const channel of ['unit-wecom', 'email']) {
      const at = sent.filter((r) => r.channel === channel).map((r) => r.sent_at!.getTime());
      expect(new Set(at).size).toBe(1);
    }

    // National Day: past 09:00 on 10-01 too, and nothing sent; all wait for 10-08 09:00.
    const idle = await rows(holiday);
    expect(idle.every((r) => r.status === 'pending')).toBe(true);
    expect(new Set(idle.map((r) => r.not_before.toISOString()))).toEqual(
      new Set([bj('2024-10-08T09:00:00').toISOString()]),
    );
    expect(endpoints(holiday)).toHaveLength(0);
    expect(holiday.smtp.mails).toHaveLength(0);
  }, 180_000);
});

function endpoints(setup: Setup) {
  return setup.endpoints.requests;
}
