/**
 * Notification throughput and latency on the real broker and database: escalation messages put on
 * the escalations topic the moment they are made (their `changedAt`, the instant the worker's
 * outbox relay would publish them after the commit), the notifier delivering them to a local
 * webhook receiver (rate limit out of the way) and to a local 企业微信 robot at its documented
 * 20 requests a minute. Measured: deliveries per second, and the time from `changedAt` to the
 * request's arrival at the channel (p50, p99); for the robot, the requests in its busiest minute.
 *
 * P8 is the latency at a steady rate below the channel's limit: BENCH_STEADY_NOTICES level-2
 * messages put on the topic one by one at BENCH_STEADY_PER_SECOND, each timed from its changedAt
 * to its request at the webhook; the burst of BENCH_NOTICES after it measures throughput.
 *
 *   BENCH_STEADY_NOTICES (1000) and BENCH_STEADY_PER_SECOND (50)
 *   BENCH_NOTICES (2000)        level-2 messages to the webhook
 *   BENCH_ROBOT_MESSAGES (15)   level-3 messages to the robot (2 requests each: markdown + @-mention)
 */
import type { EscalationLevel } from '@hotline/core';
import {
  createWorkerEnvironment,
  produceRaw,
  startWorker,
  testKafka,
  waitFor,
} from '@hotline/testing';
import { startChannelEndpoints, startSmtpSink } from '@hotline/testing/channel-endpoints';
import { notifierEnvironment, notifierOrganisation, overdueNotice } from '../test/notifier-fixture';
import { writeResult } from './bench-result';

const NOTICES = Number(process.env.BENCH_NOTICES ?? 2000);
const ROBOT_MESSAGES = Number(process.env.BENCH_ROBOT_MESSAGES ?? 15);
const STEADY_NOTICES = Number(process.env.BENCH_STEADY_NOTICES ?? 1000);
const STEADY_PER_SECOND = Number(process.env.BENCH_STEADY_PER_SECOND ?? 50);
const ROBOT_RATE_PER_MINUTE = 20;
const out = (line = '') => process.stdout.write(`${line}\n`);

function message(level: EscalationLevel, n: number) {
  return overdueNotice(
    `TJ2026${String(n).padStart(9, '0')}`,
    level,
    level === 3
      ? ['leadership:secretary']
      : ['teda-enforcement:head', 'supervision-office:director'],
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const [run, endpoints, smtp] = await Promise.all([
    createWorkerEnvironment('bench-notify', 3),
    startChannelEndpoints(),
    startSmtpSink(),
  ]);
  const organisation = notifierOrganisation(endpoints.url, {
    channels: {
      'ops-webhook': { ratePerMinute: 6000 },
      'unit-wecom': { ratePerMinute: ROBOT_RATE_PER_MINUTE },
    },
    levels: {
      '1': { channels: ['ops-webhook'] },
      '2': { channels: ['ops-webhook'] },
      '3': { channels: ['unit-wecom'] },
    },
  });
  const notifier = await startWorker(
    {
      ...run.env,
      ...notifierEnvironment(organisation, smtp.url),
      NOTIFIER_GROUP_ID: `${run.topics.escalations}-notifier`,
      NOTIFIER_BATCH: '500',
      LOG_LEVEL: 'error',
    },
    'notifier',
  );
  try {
    await waitFor(
      'the notifier',
      async () => {
        if (notifier.child.exitCode !== null)
          throw new Error(`notifier exited:\n${notifier.output()}`);
        return (await notifier.health()).status === 200 ? true : undefined;
      },
      180_000,
    );
    const robot = Array.from({ length: ROBOT_MESSAGES }, (_, i) => message(3, 900_000 + i));
    await produceRaw(
      run.topics.escalations,
      robot.map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
    );
    // Steady: one message every 1/STEADY_PER_SECOND s, each made the moment it is sent.
    const steadyIds = new Map<string, number>();
    const producer = testKafka('bench-steady').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const steadyStart = Date.now();
    for (let i = 0; i < STEADY_NOTICES; i += 1) {
      const wait = steadyStart + (i * 1000) / STEADY_PER_SECOND - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const m = message(2, 500_000 + i);
      steadyIds.set(m.escalationId, Date.parse(m.changedAt));
      await producer.send({
        topic: run.topics.escalations,
        acks: -1,
        messages: [{ key: m.workOrderId, value: JSON.stringify(m) }],
      });
    }
    await producer.disconnect();
    await waitFor(
      `${STEADY_NOTICES} steady webhook deliveries`,
      () => Promise.resolve(endpoints.at('/hook').length >= STEADY_NOTICES ? true : undefined),
      600_000,
      50,
    );
    const steadyLatencies = endpoints
      .at('/hook')
      .map((r) => {
        const payload = JSON.parse(r.body) as { data: { escalations: { escalationId: string }[] } };
        return r.at - steadyIds.get(payload.data.escalations[0]!.escalationId)!;
      })
      .sort((a, b) => a - b);

    const started = Date.now();
    const notices = Array.from({ length: NOTICES }, (_, i) => message(2, i));
    await produceRaw(
      run.topics.escalations,
      notices.map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
    );
    await waitFor(
      `${NOTICES} webhook deliveries`,
      () =>
        Promise.resolve(
          endpoints.at('/hook').length >= STEADY_NOTICES + NOTICES ? true : undefined,
        ),
      600_000,
      50,
    );
    const hooks = endpoints.at('/hook').slice(STEADY_NOTICES);
    const changedAt = new Map(notices.map((m) => [m.escalationId, Date.parse(m.changedAt)]));
    const latencies = hooks
      .map((r) => {
        const payload = JSON.parse(r.body) as { data: { escalations: { escalationId: string }[] } };
        return r.at - changedAt.get(payload.data.escalations[0]!.escalationId)!;
      })
      .sort((a, b) => a - b);
    const elapsedMs = Math.max(...hooks.map((r) => r.at)) - started;
    const perSecond = (NOTICES / elapsedMs) * 1000;

    await waitFor(
      `${ROBOT_MESSAGES} robot messages`,
      () => Promise.resolve(endpoints.at('/wecom').length >= 2 * ROBOT_MESSAGES ? true : undefined),
      600_000,
    );
    const robotAt = endpoints.at('/wecom').map((r) => r.at);
    const busiestMinute = Math.max(
      ...robotAt.map((t) => robotAt.filter((u) => u >= t && u < t + 60_000).length),
    );
    const result = {
      steady: {
        notices: STEADY_NOTICES,
        perSecond: STEADY_PER_SECOND,
        latencyP50Ms: percentile(steadyLatencies, 50),
        latencyP99Ms: percentile(steadyLatencies, 99),
        targetP99Ms: 1000,
      },
      webhook: {
        deliveries: NOTICES,
        elapsedMs,
        deliveriesPerSecond: Math.round(perSecond),
        latencyP50Ms: percentile(latencies, 50),
        latencyP99Ms: percentile(latencies, 99),
      },
      robot: {
        messages: ROBOT_MESSAGES,
        requests: robotAt.length,
        limitPerMinute: ROBOT_RATE_PER_MINUTE,
        busiestMinuteRequests: busiestMinute,
        spanMs: Math.max(...robotAt) - Math.min(...robotAt),
      },
    };
    out(
      `notifications: ${STEADY_NOTICES} at ${STEADY_PER_SECOND}/s, changedAt → request p50 ${result.steady.latencyP50Ms} ms, p99 ${result.steady.latencyP99Ms} ms (P8 target p99 ≤ 1,000 ms)`,
    );
    out(`then a burst: ${NOTICES} webhook deliveries in ${(elapsedMs / 1000).toFixed(1)} s`);
    out(
      `  ${result.webhook.deliveriesPerSecond}/s; changedAt → request p50 ${result.webhook.latencyP50Ms} ms, p99 ${result.webhook.latencyP99Ms} ms`,
    );
    out(
      `  robot: ${robotAt.length} requests, busiest minute ${busiestMinute} (limit ${ROBOT_RATE_PER_MINUTE}), over ${(result.robot.spanMs / 1000).toFixed(0)} s`,
    );
    out(`  ${writeResult('notifications', result)}`);
  } finally {
    await notifier.stop();
    await endpoints.close();
    await smtp.close();
    await run.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
