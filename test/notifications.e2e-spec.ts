/**
 * Escalations reach people, end to end on the real broker and database: the worker fires, advances
 * and withdraws escalations from real events; the notifier, in its own consumer group, delivers
 * each change to local servers playing 企业微信, 钉钉, 飞书, the SMS gateway, a webhook receiver and
 * an SMTP server — exactly the expected messages to exactly the expected recipients, each request
 * in its vendor's shape with a valid signature, and no citizen's data. Read again from the start
 * of the topic, the same messages send nothing twice.
 */
import type { WorkOrderEvent } from '@hotline/core';
import { DEVELOPMENT_JWT_SECRET, signAccessToken } from '@hotline/platform';
import { testKafka } from '@hotline/testing';
import {
  anEvent,
  consumeAll,
  createWorkerEnvironment,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import {
  startChannelEndpoints,
  startSmtpSink,
  type ChannelEndpoints,
  type SmtpSink,
} from '@hotline/testing/channel-endpoints';
import {
  EMAILS,
  PHONES,
  SECRETS,
  dingtalkSignatureValid,
  feishuSignatureValid,
  notifierEnvironment,
  notifierOrganisation,
  standardWebhookValid,
} from './notifier-fixture';

const ORDER = 'TJ2024030400077';
const CITIZEN = { name: '李四', phone: '13912345678' };

interface Message {
  escalationId: string;
  kind: string;
  level: number;
  version: number;
  change: string;
  recipients: string[];
}

/** What one change must produce, per endpoint, under the fixture's routing. */
function expectedRequests(level: number): Record<string, number> {
  switch (level) {
    case 1: // the unit robot (markdown + text @liaison); email to the liaison
      return { '/wecom': 2, email: 1 };
    case 2: // unit robot (markdown + text @head @director), 飞书, SMS head+director, email head+director+duty, webhook
      return { '/wecom': 2, '/feishu': 1, '/sms': 2, email: 3, '/hook': 1 };
    default: // 钉钉 @secretary, SMS secretary, webhook
      return { '/dingtalk': 1, '/sms': 1, '/hook': 1 };
  }
}

const asMessages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

describe('notifications end to end', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess;
  let notifier: WorkerProcess;
  let endpoints: ChannelEndpoints;
  let smtp: SmtpSink;
  let notifierEnv: Record<string, string>;

  beforeAll(async () => {
    [run, endpoints, smtp] = await Promise.all([
      createWorkerEnvironment('notify'),
      startChannelEndpoints(),
      startSmtpSink(),
    ]);
    notifierEnv = {
      ...run.env,
      ...notifierEnvironment(notifierOrganisation(endpoints.url), smtp.url),
      NOTIFIER_GROUP_ID: `${run.topics.escalations}-notifier`,
    };
    [worker, notifier] = await Promise.all([
      startWorker({ ...notifierEnv, WATERMARK_IDLE_MS: '1000' }),
      startWorker(notifierEnv, 'notifier'),
    ]);
    await waitUntilJoined(worker, 150_000);
  }, 180_000);

  afterAll(async () => {
    await notifier?.stop();
    await worker?.stop();
    await endpoints?.close();
    await smtp?.close();
    await run?.dispose();
  });

  it('delivers every fired, advanced, resolved and withdrawn change to exactly its recipients, signed, once', async () => {
    // Dispatched Mon 2024-03-04 10:00: the log, judged at today's date, fires the warnings and
    // the overdue escalations and advances them; the acceptance, delivered late but dated 09:58
    // on the 5th, withdraws the accept_overdue and resolves the warning.
    await produceRaw(
      run.topics.events,
      asMessages([
        anEvent(
          'dispatched',
          ORDER,
          '2024-03-04T10:00:00',
          {
            unitId: 'teda-enforcement',
            category: 'complaint',
            urgency: 'normal',
            citizen: CITIZEN,
          },
          { eventId: `${ORDER}-1`, sequence: 1 },
        ),
      ]),
    );
    await waitFor('accept_overdue to fire', async () => {
      const { rows } = await run.sql.query<{ status: string }>(
        `SELECT status FROM escalations WHERE work_order_id = $1 AND kind = 'accept_overdue'`,
        [ORDER],
      );
      return rows[0]?.status === 'open' ? true : undefined;
    });
    await produceRaw(
      run.topics.events,
      asMessages([
        anEvent(
          'accepted',
          ORDER,
          '2024-03-05T09:58:00',
          {},
          { eventId: `${ORDER}-2`, sequence: 2 },
        ),
      ]),
    );
    const messages = await waitFor('the withdrawal on the topic', async () => {
      const all = (
        await consumeAll(run.topics.escalations, { expected: 1000, timeoutMs: 2000 })
      ).map((m) => JSON.parse(m.value!.toString('utf8')) as Message);
      return all.some((m) => m.change === 'withdrawn') ? all : undefined;
    });
    const told = messages.filter((m) => m.change !== 'acknowledged');
    for (const change of ['created', 'advanced', 'resolved', 'withdrawn']) {
      expect(told.map((m) => m.change)).toContain(change);
    }
    const expected: Record<string, number> = {};
    for (const m of told) {
      for (const [endpoint, n] of Object.entries(expectedRequests(m.level))) {
        expected[endpoint] = (expected[endpoint] ?? 0) + n;
      }
    }
    const counts = () => ({
      ...Object.fromEntries(
        ['/wecom', '/dingtalk', '/feishu', '/sms', '/hook']
          .map((p) => [p, endpoints.at(p).length] as const)
          .filter(([, n]) => n > 0),
      ),
      ...(smtp.mails.length > 0 ? { email: smtp.mails.length } : {}),
    });
    await waitFor(
      `every delivery (expected ${JSON.stringify(expected)})`,
      () => Promise.resolve(sameCounts(counts(), expected) ? true : undefined),
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; got ${JSON.stringify(counts())}\n${notifier.output()}`);
    });
    // Nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(counts()).toEqual(expected);

    // Each request in its vendor's shape, signed; no citizen's data anywhere.
    for (const request of endpoints.requests) {
      expect(request.body).not.toContain(CITIZEN.phone);
      expect(request.body).not.toContain(CITIZEN.name);
    }
    for (const request of endpoints.at('/wecom')) {
      expect(request.query.get('key')).toBe(SECRETS.T_WECOM_KEY);
      const body = JSON.parse(request.body) as {
        msgtype: string;
        markdown?: { content: string };
        text?: { content: string; mentioned_mobile_list: string[] };
      };
      if (body.msgtype === 'markdown') {
        expect(Buffer.byteLength(body.markdown!.content)).toBeLessThanOrEqual(4096);
        expect(body.markdown!.content).toContain(ORDER);
      } else {
        expect(body.msgtype).toBe('text');
        expect(Buffer.byteLength(body.text!.content)).toBeLessThanOrEqual(2048);
        expect([[PHONES.liaison], [PHONES.head, PHONES.director]]).toContainEqual(
          body.text!.mentioned_mobile_list,
        );
      }
    }
    for (const request of endpoints.at('/dingtalk')) {
      expect(request.query.get('access_token')).toBe(SECRETS.T_DING_TOKEN);
      expect(dingtalkSignatureValid(request, SECRETS.T_DING_SECRET)).toBe(true);
      const body = JSON.parse(request.body) as {
        msgtype: string;
        markdown: { title: string; text: string };
        at: { atMobiles: string[] };
      };
      expect(body.msgtype).toBe('markdown');
      expect(body.at.atMobiles).toEqual([PHONES.secretary]);
      expect(body.markdown.text).toContain(`@${PHONES.secretary}`);
      expect(body.markdown.text).toContain(ORDER);
    }
    for (const request of endpoints.at('/feishu')) {
      expect(request.path).toBe(`/feishu/open-apis/bot/v2/hook/${SECRETS.T_FEISHU_HOOK}`);
      expect(feishuSignatureValid(request, SECRETS.T_FEISHU_SECRET)).toBe(true);
      expect(JSON.parse(request.body)).toMatchObject({ msg_type: 'post' });
    }
    const smsTo = endpoints.at('/sms').map((request) => {
      expect(request.headers['x-api-token']).toBe(SECRETS.T_SMS_TOKEN);
      const body = JSON.parse(request.body) as Record<string, string>;
      expect(body.templateId).toBe('DUBAN');
      expect(body.content).toContain(ORDER);
      return body.mobile;
    });
    expect(new Set(smsTo)).toEqual(new Set([PHONES.head, PHONES.director, PHONES.secretary]));
    const webhookIds = endpoints.at('/hook').map((request) => {
      expect(standardWebhookValid(request, SECRETS.T_HOOK_SECRET)).toBe(true);
      const payload = JSON.parse(request.body) as {
        type: string;
        data: { escalations: { escalationId: string; version: number }[] };
      };
      const [e] = payload.data.escalations;
      return `${e!.escalationId}@${e!.version}`;
    });
    expect(new Set(webhookIds)).toEqual(
      new Set(told.filter((m) => m.level >= 2).map((m) => `${m.escalationId}@${m.version}`)),
    );
    expect(new Set(endpoints.at('/hook').map((r) => r.headers['webhook-id'])).size).toBe(
      webhookIds.length,
    );
    for (const mail of smtp.mails) {
      expect(mail.subject).toContain(ORDER);
      expect(mail.to).toHaveLength(1);
      expect(Object.values(EMAILS)).toContain(mail.to[0]);
    }

    // Tracked: one row per (change, recipient, channel), all sent, one attempt each.
    const { rows } = await run.sql.query<{ status: string; attempts: number; n: number }>(
      `SELECT status, attempts, count(*)::int AS n FROM notification_deliveries GROUP BY 1, 2`,
    );
    const perChange = (level: number) => (level === 1 ? 2 : level === 2 ? 8 : 3);
    expect(rows).toEqual([
      { status: 'sent', attempts: 1, n: told.reduce((sum, m) => sum + perChange(m.level), 0) },
    ]);

    // Read again from the start of the topic: nothing is sent twice. (The topic's end offset lies
    // past the transaction markers the worker's producer writes; the group's committed offsets
    // after the first reading say where "read to the end" is.)
    const client = testKafka('admin').admin();
    await client.connect();
    const committed = async () => {
      const [offsets] = await client.fetchOffsets({
        groupId: notifierEnv.NOTIFIER_GROUP_ID!,
        topics: [run.topics.escalations],
      });
      return JSON.stringify(offsets!.partitions.map((p) => [p.partition, p.offset]));
    };
    const readToTheEnd = await committed();
    await notifier.stop();
    await client.resetOffsets({
      groupId: notifierEnv.NOTIFIER_GROUP_ID!,
      topic: run.topics.escalations,
      earliest: true,
    });
    expect(await committed()).not.toBe(readToTheEnd);
    let api: WorkerProcess | undefined;
    [notifier, api] = await Promise.all([
      startWorker(notifierEnv, 'notifier'),
      startWorker({ DATABASE_URL: run.db.url }, 'api'),
    ]);
    await waitFor(
      'the notifier to read the topic again to its end',
      async () => ((await committed()) === readToTheEnd ? true : undefined),
      120_000,
    );
    await client.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(counts()).toEqual(expected);
    expect(await notifier.metric('hotline_notifications_planned_total')).toBe(0);

    // The API shows each escalation's deliveries.
    const token = await signAccessToken(
      { subject: 'e2e', role: 'supervisor', ttlSeconds: 600, now: new Date() },
      DEVELOPMENT_JWT_SECRET,
    );
    try {
      const withdrawn = told.find((m) => m.change === 'withdrawn')!;
      const view = await waitFor(
        'the API',
        async () => {
          const res = await fetch(
            `http://127.0.0.1:${api.port}/escalations/${withdrawn.escalationId}`,
            {
              headers: { authorization: `Bearer ${token}` },
            },
          );
          return res.ok
            ? ((await res.json()) as {
                deliveries: { version: number; change: string; channel: string; status: string }[];
              })
            : undefined;
        },
        120_000,
      );
      const versions = told.filter((m) => m.escalationId === withdrawn.escalationId);
      expect(view.deliveries).toHaveLength(
        versions.reduce((sum, m) => sum + perChange(m.level), 0),
      );
      expect(view.deliveries.every((d) => d.status === 'sent')).toBe(true);
      expect(view.deliveries.filter((d) => d.change === 'withdrawn').length).toBe(
        perChange(withdrawn.level),
      );
    } finally {
      await api.stop();
    }
  }, 240_000);
});

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
