/**
 * Notification throughput and latency on the real broker and database: escalation messages put on
 * the escalations topic the moment they are made (their `changedAt`, the instant the worker's
 * outbox relay would publish them after the commit), the notifier delivering them to a local
 * webhook receiver (rate limit out of the way) and to a local 企业微信 robot at its documented
 * 20 requests a minute. Measured: deliveries per second, and the time from `changedAt` to the
 * request's arrival at the channel (p50, p99); for the robot, the requests in its busiest minute.
 *
 *   BENCH_NOTICES (2000)        level-2 messages to the webhook
 *   BENCH_ROBOT_MESSAGES (15)   level-3 messages to the robot (2 requests each: markdown + @-mention)
 */
import { randomUUID } from 'node:crypto';
import { escalationMessage, type EscalationLevel } from '@hotline/core';
import { createWorkerEnvironment, produceRaw, startWorker, waitFor } from '@hotline/testing';
import { startChannelEndpoints, startSmtpSink } from '@hotline/testing/channel-endpoints';
import { notifierEnvironment, notifierOrganisation } from '../test/notifier-fixture';
import { writeResult } from './bench-result';

const NOTICES = Number(process.env.BENCH_NOTICES ?? 2000);
const ROBOT_MESSAGES = Number(process.env.BENCH_ROBOT_MESSAGES ?? 15);
const ROBOT_RATE_PER_MINUTE = 20;
const out = (line = '') => process.stdout.write(`${line}\n`);

function message(level: EscalationLevel, n: number) {
  const at = new Date();
  return escalationMessage(
    {
      escalationId: randomUUID(),
      workOrderId: `TJ2026${String(n).padStart(9, '0')}`,
      unitId: 'teda-enforcement',
      kind: 'complete_overdue',
      status: 'open',
      reason: '超时未办结',
      dueAt: new Date(at.getTime() - 3_600_000),
      firedAt: at,
      version: 1,
      level,
      recipients:
        level === 3
          ? ['leadership:secretary']
          : ['teda-enforcement:head', 'supervision-office:director'],
    },
    { change: 'created', at },
    'Asia/Shanghai',
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
    const started = Date.now();
    const notices = Array.from({ length: NOTICES }, (_, i) => message(2, i));
    await produceRaw(
      run.topics.escalations,
      notices.map((m) => ({ key: m.workOrderId, value: JSON.stringify(m) })),
    );
    await waitFor(
      `${NOTICES} webhook deliveries`,
      () => Promise.resolve(endpoints.at('/hook').length >= NOTICES ? true : undefined),
      600_000,
      50,
    );
    const hooks = endpoints.at('/hook');
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
    out(`notifications: ${NOTICES} webhook deliveries in ${(elapsedMs / 1000).toFixed(1)} s`);
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
