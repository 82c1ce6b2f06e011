/**
 * The notifier against failing channels, on the real broker and database. Escalation messages are
 * put on the topic as the worker writes them (libs/core escalationMessage); the local endpoints
 * misbehave: a webhook answering 500 (retried with backoff, then `dead`, and the 督查室 alerted on
 * 飞书), a webhook too slow to answer (timed out, tried again: the receiver sees the same
 * webhook-id twice, the documented duplicate window), 企业微信 answering errcode 45009 for a while,
 * an SMS gateway answering 429 with Retry-After, 钉钉 limited to 3 requests per window (queued,
 * none dropped), and the notifier SIGKILLed while its requests hang (resent after the lease,
 * nothing lost).
 */
import type { EscalationLevel } from '@hotline/core';
import { DEVELOPMENT_JWT_SECRET, signAccessToken } from '@hotline/platform';
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
import {
  feishuSignatureValid,
  notifierEnvironment,
  notifierOrganisation,
  SECRETS,
  overdueNotice,
} from './notifier-fixture';

const RECIPIENTS: Record<EscalationLevel, string[]> = {
  1: ['teda-enforcement:liaison'],
  2: ['teda-enforcement:head', 'supervision-office:director', 'supervision-office:duty'],
  3: ['leadership:secretary', 'leadership:director'],
};

function message(level: EscalationLevel, n: number) {
  return overdueNotice(`TJ20260301${String(n).padStart(5, '0')}`, level, RECIPIENTS[level]);
}

interface Row {
  channel: string;
  status: string;
  attempts: number;
  last_error: string | null;
  purpose: string;
}

describe('notifier faults', () => {
  let run: WorkerEnvironment;
  let endpoints: ChannelEndpoints;
  let smtp: SmtpSink;
  let env: Record<string, string>;
  let notifier: WorkerProcess;
  const rows = async () =>
    (
      await run.sql.query<Row>(
        `SELECT channel, status, attempts, last_error, purpose FROM notification_deliveries ORDER BY id`,
      )
    ).rows;

  beforeAll(async () => {
    [run, endpoints, smtp] = await Promise.all([
      createWorkerEnvironment('notify-faults'),
      startChannelEndpoints(),
      startSmtpSink(),
    ]);
    const organisation = notifierOrganisation(endpoints.url, {
      maxAttempts: 3,
      channels: {
        'hook-500': {
          type: 'webhook',
          url: `${endpoints.url}/hook/500`,
          secretEnv: 'T_HOOK_SECRET',
        },
        'hook-slow': {
          type: 'webhook',
          url: `${endpoints.url}/hook/slow`,
          secretEnv: 'T_HOOK_SECRET',
        },
        'hook-hang': {
          type: 'webhook',
          url: `${endpoints.url}/hook/hang`,
          secretEnv: 'T_HOOK_SECRET',
        },
        'wecom-busy': { type: 'wecom', url: `${endpoints.url}/wecom/busy`, keyEnv: 'T_WECOM_KEY' },
        'sms-429': {
          type: 'sms',
          url: `${endpoints.url}/sms/429`,
          fields: { mobile: 'mobile', content: 'content' },
        },
        'ding-rate': {
          type: 'dingtalk',
          url: `${endpoints.url}/dingtalk/rate`,
          accessTokenEnv: 'T_DING_TOKEN',
          ratePerMinute: 3,
        },
      },
      levels: {
        '1': { channels: ['ding-rate'] },
        '2': { channels: ['hook-500', 'hook-slow', 'wecom-busy', 'sms-429'] },
        '3': { channels: ['hook-hang'] },
      },
    });
    env = {
      ...run.env,
      ...notifierEnvironment(organisation, smtp.url),
      NOTIFIER_GROUP_ID: `${run.topics.escalations}-notifier`,
      NOTIFIER_HTTP_TIMEOUT_MS: '2500',
      NOTIFIER_RETRY_BASE_MS: '400',
      NOTIFIER_RATE_WINDOW_MS: '3000',
      NOTIFIER_LEASE_MS: '4000',
    };
    notifier = await startWorker(env, 'notifier');
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
    await endpoints?.close();
    await smtp?.close();
    await run?.dispose();
  });

  it('retries what fails, gives up on what keeps failing and says so, and loses nothing', async () => {
    let busySince = 0;
    endpoints.script('/hook/500', () => ({ status: 500, body: 'down' }));
    endpoints.script('/hook/slow', (_request, n) => (n <= 2 ? { delayMs: 6000 } : undefined));
    endpoints.script('/wecom/busy', () => {
      busySince ||= Date.now();
      return Date.now() - busySince < 2000
        ? { body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }
        : undefined;
    });
    endpoints.script('/sms/429', (_request, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : undefined,
    );
    const level2 = [message(2, 1), message(2, 2)];
    const level1 = [1, 2, 3, 4, 5, 6, 7].map((n) => message(1, 10 + n));
    await produceRaw(
      run.topics.escalations,
      [...level2, ...level1].map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
    );

    // 2 changes × (hook-500, hook-slow, wecom-busy, 2 SMS) + 7 × ding-rate, and 2 alerts.
    const settled = await waitFor(
      'every delivery to settle',
      async () => {
        const all = await rows();
        const open = all.filter((r) => r.status === 'pending' || r.status === 'failed');
        return all.length === 2 * 5 + 7 + 2 && open.length === 0 ? all : undefined;
      },
      100_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(await rows())}\n${notifier.output()}`);
    });
    const of = (channel: string, purpose = 'notice') =>
      settled.filter((r) => r.channel === channel && r.purpose === purpose);

    // 500 for good: three attempts each, then dead, and one alert per change on 飞书.
    expect(of('hook-500')).toEqual([
      expect.objectContaining({ status: 'dead', attempts: 3, last_error: 'HTTP 500' }),
      expect.objectContaining({ status: 'dead', attempts: 3, last_error: 'HTTP 500' }),
    ]);
    expect(endpoints.at('/hook/500')).toHaveLength(6);
    expect(of('office-feishu', 'failure_alert').map((r) => r.status)).toEqual(['sent', 'sent']);
    const alerts = endpoints.at('/feishu');
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) {
      expect(feishuSignatureValid(alert, SECRETS.T_FEISHU_SECRET)).toBe(true);
      expect(alert.body).toContain('督办通知发送失败');
    }
    const failed = await fetch(`http://127.0.0.1:${notifier.port}/metrics`).then((r) => r.text());
    expect(failed).toMatch(/hotline_notification_deliveries\{channel="hook-500",status="dead"\} 2/);

    // Too slow: timed out, tried again and sent; the receiver saw one webhook-id twice.
    expect(of('hook-slow').map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
    const slowIds = endpoints.at('/hook/slow').map((r) => String(r.headers['webhook-id']));
    expect(slowIds).toHaveLength(4);
    expect(new Set(slowIds).size).toBe(2);

    // errcode 45009 and 429 with Retry-After: sent in the end, the 429 one a second later at least.
    expect(of('wecom-busy').every((r) => r.status === 'sent')).toBe(true);
    expect(of('wecom-busy').some((r) => r.attempts > 1)).toBe(true);
    expect(of('sms-429').map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const sms = endpoints.at('/sms/429');
    const refusedAt = sms[0]!.at;
    const refusedTo = (JSON.parse(sms[0]!.body) as { mobile: string }).mobile;
    const retry = sms
      .slice(1)
      .find(
        (r) =>
          (JSON.parse(r.body) as { mobile: string }).mobile === refusedTo &&
          r.body === sms[0]!.body,
      );
    expect(retry!.at - refusedAt).toBeGreaterThanOrEqual(950);

    // 钉钉 at 3 requests per 3-second window: 7 notices queued, none dropped, never 4 in a window.
    expect(of('ding-rate').map((r) => r.status)).toEqual(Array(7).fill('sent'));
    const dingAt = endpoints.at('/dingtalk/rate').map((r) => r.at);
    expect(dingAt).toHaveLength(7);
    for (const start of dingAt) {
      // Counted as the receiver counts: by arrival, any 3-second window (the notifier counts from
      // when a round's requests were done, so a request that arrived late cannot open room early).
      expect(dingAt.filter((t) => t >= start && t < start + 3000).length).toBeLessThanOrEqual(3);
    }
    expect(Math.max(...dingAt) - Math.min(...dingAt)).toBeGreaterThanOrEqual(5500);
  }, 180_000);

  it('a notifier killed while its requests hang resends them after the lease: nothing lost', async () => {
    endpoints.script('/hook/hang', (_request, n) => (n <= 3 ? { delayMs: 30_000 } : undefined));
    const level3 = [1, 2, 3].map((n) => message(3, 20 + n));
    await produceRaw(
      run.topics.escalations,
      level3.map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
    );
    await waitFor('three requests in flight', () =>
      Promise.resolve(endpoints.at('/hook/hang').length >= 3 ? true : undefined),
    );
    notifier.child.kill('SIGKILL');
    await notifier.exited;
    notifier = await startWorker(env, 'notifier');
    const hang = await waitFor(
      'the hung deliveries resent and sent',
      async () => {
        const { rows: sent } = await run.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM notification_deliveries WHERE channel = 'hook-hang' AND status = 'sent'`,
        );
        return sent[0]!.n === 3 ? endpoints.at('/hook/hang') : undefined;
      },
      90_000,
    );
    // Each was sent once before the kill (no answer recorded) and once after: the same webhook-id.
    const ids = hang.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(3);
  }, 150_000);

  it('shows operators the dead deliveries, and each escalation its own, through the API', async () => {
    const api = await startWorker({ DATABASE_URL: run.db.url }, 'api');
    try {
      const token = (role: 'supervisor' | 'unit') =>
        signAccessToken(
          {
            subject: 'e2e',
            role,
            unitId: role === 'unit' ? 'teda-enforcement' : undefined,
            ttlSeconds: 600,
            now: new Date(),
          },
          DEVELOPMENT_JWT_SECRET,
        );
      const get = async (path: string, role: 'supervisor' | 'unit' = 'supervisor') =>
        fetch(`http://127.0.0.1:${api.port}${path}`, {
          headers: { authorization: `Bearer ${await token(role)}` },
        });
      const dead = await waitFor(
        'the API',
        async () => {
          const res = await get('/deliveries?status=dead');
          return res.ok
            ? ((await res.json()) as {
                total: number;
                items: {
                  escalationId: string;
                  channel: string;
                  attempts: number;
                  lastError: string;
                }[];
              })
            : undefined;
        },
        120_000,
      );
      expect(dead.total).toBe(2);
      expect(dead.items.map((d) => [d.channel, d.attempts, d.lastError])).toEqual([
        ['hook-500', 3, 'HTTP 500'],
        ['hook-500', 3, 'HTTP 500'],
      ]);
      // These messages were put on the topic directly (no escalation rows): listed by escalation id.
      const byEscalation = (await (
        await get(`/deliveries?escalationId=${dead.items[0]!.escalationId}`)
      ).json()) as { items: { channel: string; status: string; purpose: string }[] };
      expect(byEscalation.items.map((d) => `${d.purpose}:${d.channel}:${d.status}`).sort()).toEqual(
        [
          'failure_alert:office-feishu:sent',
          'notice:hook-500:dead',
          'notice:hook-slow:sent',
          'notice:sms-429:sent',
          'notice:sms-429:sent',
          'notice:wecom-busy:sent',
        ],
      );
      expect((await get('/deliveries?status=failed', 'unit')).status).toBe(403);
      expect((await get('/deliveries?status=lost')).status).toBe(400);
    } finally {
      await api.stop();
    }
  }, 150_000);
});
