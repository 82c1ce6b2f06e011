/**
 * Deliveries of notices (apps/notifier): planned once per (escalation, version, recipient,
 * channel, purpose), claimed under a lease within each channel's rate limit, and their outcome
 * recorded. The SQL of notifications lives here and nowhere else.
 */
import {
  chooseSendUnits,
  type DeliveryAddress,
  type DueDelivery,
  type NoticeFields,
  type RenderedNotice,
} from '@hotline/core';
import type { DataSource } from 'typeorm';
import { withTransaction } from '../transaction';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'dead', 'superseded'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_PURPOSES = ['notice', 'failure_alert'] as const;
export type DeliveryPurpose = (typeof DELIVERY_PURPOSES)[number];

export interface NewDelivery {
  escalationId: string;
  version: number;
  purpose: DeliveryPurpose;
  recipient: string;
  channel: string;
  channelType: string;
  workOrderId: string;
  unitId: string | null;
  kind: string;
  level: number;
  /** fired, advanced, resolved, withdrawn (or `failed` for an alert). */
  change: string;
  address: DeliveryAddress;
  fields: NoticeFields | Record<string, string>;
  notice: RenderedNotice;
  digest: boolean;
  notBefore: Date;
}

export interface Delivery extends NewDelivery {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

interface DeliveryRow {
  id: string;
  escalation_id: string;
  version: number;
  purpose: DeliveryPurpose;
  recipient: string;
  channel: string;
  channel_type: string;
  work_order_id: string;
  unit_id: string | null;
  kind: string;
  level: number;
  change: string;
  address: DeliveryAddress;
  fields: Record<string, string>;
  notice: RenderedNotice;
  digest: boolean;
  not_before: Date;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: String(r.id),
    escalationId: r.escalation_id,
    version: r.version,
    purpose: r.purpose,
    recipient: r.recipient,
    channel: r.channel,
    channelType: r.channel_type,
    workOrderId: r.work_order_id,
    unitId: r.unit_id,
    kind: r.kind,
    level: r.level,
    change: r.change,
    address: r.address,
    fields: r.fields,
    notice: r.notice,
    digest: r.digest,
    notBefore: r.not_before,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
    createdAt: r.created_at,
  };
}

/** An arbitrary constant: claims are serialized so the rate window counts every replica's requests. */
const DELIVERY_CLAIM_LOCK = 1_232_345_015;

export interface RecordedNotices {
  inserted: number;
  /** Level-1 notices still waiting for their digest, cancelled by a resolution or withdrawal. */
  superseded: number;
}

/**
 * Records the deliveries of one batch of escalation messages in one transaction. Existing keys are
 * left alone (a message read again plans nothing new). A resolution or withdrawal of an escalation
 * whose earlier notice to the same recipient and channel is still waiting for a digest cancels
 * that notice, and is itself recorded as `superseded`: nobody hears of a warning already void.
 */
export async function recordDeliveries(
  dataSource: DataSource,
  deliveries: readonly NewDelivery[],
  now: Date,
): Promise<RecordedNotices> {
  if (deliveries.length === 0) return { inserted: 0, superseded: 0 };
  return withTransaction(dataSource, async (runner) => {
    let inserted = 0;
    let superseded = 0;
    for (const d of deliveries) {
      let status: DeliveryStatus = 'pending';
      if (d.purpose === 'notice' && (d.change === 'resolved' || d.change === 'withdrawn')) {
        const cancelled = (await runner.query(
          `UPDATE notification_deliveries SET status = 'superseded', last_error = $5
            WHERE escalation_id = $1 AND recipient = $2 AND channel = $3 AND version < $4
              AND purpose = 'notice' AND status = 'pending' AND attempts = 0 AND digest
           RETURNING id`,
          [d.escalationId, d.recipient, d.channel, d.version, `superseded by version ${d.version}`],
        )) as [unknown[], number] | unknown[];
        const count = Array.isArray(cancelled[0]) ? cancelled[0].length : cancelled.length;
        if (count > 0) {
          superseded += count;
          status = 'superseded';
        }
      }
      const rows = (await runner.query(
        `INSERT INTO notification_deliveries
           (escalation_id, version, purpose, recipient, channel, channel_type, work_order_id,
            unit_id, kind, level, change, address, fields, notice, digest, not_before, status,
            next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16, $18)
         ON CONFLICT (escalation_id, version, recipient, channel, purpose) DO NOTHING
         RETURNING id`,
        [
          d.escalationId,
          d.version,
          d.purpose,
          d.recipient,
          d.channel,
          d.channelType,
          d.workOrderId,
          d.unitId,
          d.kind,
          d.level,
          d.change,
          JSON.stringify(d.address),
          JSON.stringify(d.fields),
          JSON.stringify(d.notice),
          d.digest,
          d.notBefore,
          status,
          now,
        ],
      )) as { id: string }[];
      inserted += rows.length;
    }
    return { inserted, superseded };
  });
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long a claimed delivery is left to its sender before another may try it. */
  leaseMs: number;
  /** The rate limit's window and each channel's requests allowed in it. */
  windowMs: number;
  ratePerWindow: (channel: string) => number;
  /** HTTP requests one message of a delivery takes. */
  requestsOf: (delivery: Delivery) => number;
}

export interface ClaimedUnit {
  channel: string;
  recipient: string;
  digest: boolean;
  deliveries: Delivery[];
}

/**
 * Claims the due deliveries that fit in their channels' rate budgets: grouped into send units
 * (a digest is one), each unit's requests recorded in the window, its deliveries' attempts counted
 * and leased (`next_attempt_at = now + lease`). Serialized across replicas by an advisory lock,
 * so two notifiers never spend the same budget. A unit whose sender dies is tried again when its
 * lease ends.
 */
export async function claimDueDeliveries(
  dataSource: DataSource,
  options: ClaimOptions,
): Promise<{ units: ClaimedUnit[]; waiting: number }> {
  const { now } = options;
  return withTransaction(dataSource, async (runner) => {
    await runner.query(`SELECT pg_advisory_xact_lock($1)`, [DELIVERY_CLAIM_LOCK]);
    const rows = (await runner.query(
      `SELECT * FROM notification_deliveries
        WHERE status IN ('pending', 'failed') AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, options.limit],
    )) as DeliveryRow[];
    if (rows.length === 0) return { units: [], waiting: 0 };
    const deliveries = rows.map(toDelivery);
    const channels = [...new Set(deliveries.map((d) => d.channel))];
    const used = (await runner.query(
      `SELECT channel, count(*)::int AS n FROM notification_channel_requests
        WHERE channel = ANY($1::text[]) AND at > $2 AND at <= $3 GROUP BY channel`,
      [channels, new Date(now.getTime() - options.windowMs), now],
    )) as { channel: string; n: number }[];
    const budget = new Map(
      channels.map((channel) => [
        channel,
        Math.max(
          0,
          options.ratePerWindow(channel) - (used.find((u) => u.channel === channel)?.n ?? 0),
        ),
      ]),
    );
    const byId = new Map(deliveries.map((d) => [d.id, d]));
    const due: DueDelivery[] = deliveries.map((d) => ({
      id: d.id,
      recipient: d.recipient,
      channel: d.channel,
      digest: d.digest,
      notBefore: d.notBefore,
      requests: options.requestsOf(d),
    }));
    const chosen = chooseSendUnits(due, budget);
    const ids = chosen.flatMap((unit) => unit.deliveryIds);
    if (ids.length > 0) {
      await runner.query(
        `UPDATE notification_deliveries
            SET attempts = attempts + 1, last_attempt_at = $2, next_attempt_at = $3
          WHERE id = ANY($1::bigint[])`,
        [ids, now, new Date(now.getTime() + options.leaseMs)],
      );
      const requestChannels = chosen.flatMap((unit) =>
        Array.from({ length: unit.requests }, () => unit.channel),
      );
      await runner.query(
        `INSERT INTO notification_channel_requests (channel, at)
         SELECT channel, $2 FROM unnest($1::text[]) AS channel`,
        [requestChannels, now],
      );
    }
    const units = chosen.map((unit) => ({
      channel: unit.channel,
      recipient: unit.recipient,
      digest: unit.digest,
      deliveries: unit.deliveryIds.map((id) => {
        const d = byId.get(id)!;
        return { ...d, attempts: d.attempts + 1, lastAttemptAt: now };
      }),
    }));
    return { units, waiting: deliveries.length - ids.length };
  });
}

export type DeliveryOutcome =
  | { status: 'sent'; at: Date }
  | { status: 'failed'; error: string; nextAttemptAt: Date }
  | { status: 'dead'; error: string };

/** Records what one attempt of these deliveries came to. */
export async function recordDeliveryOutcome(
  dataSource: DataSource,
  ids: readonly string[],
  outcome: DeliveryOutcome,
): Promise<void> {
  switch (outcome.status) {
    case 'sent':
      await dataSource.query(
        `UPDATE notification_deliveries SET status = 'sent', sent_at = $2, last_error = NULL
          WHERE id = ANY($1::bigint[])`,
        [ids, outcome.at],
      );
      return;
    case 'failed':
      await dataSource.query(
        `UPDATE notification_deliveries SET status = 'failed', last_error = $2, next_attempt_at = $3
          WHERE id = ANY($1::bigint[])`,
        [ids, outcome.error.slice(0, 1000), outcome.nextAttemptAt],
      );
      return;
    case 'dead':
      await dataSource.query(
        `UPDATE notification_deliveries SET status = 'dead', last_error = $2
          WHERE id = ANY($1::bigint[])`,
        [ids, outcome.error.slice(0, 1000)],
      );
      return;
  }
}

/** The first instant a waiting delivery becomes due (for the sender's sleep). */
export async function nextDueAt(dataSource: DataSource): Promise<Date | null> {
  const rows = await dataSource.query<{ at: Date | null }[]>(
    `SELECT min(next_attempt_at) AS at FROM notification_deliveries WHERE status IN ('pending', 'failed')`,
  );
  return rows[0]?.at ?? null;
}

/**
 * Moves the channel requests a round claimed at `claimedAt` to `sentAt`, once they are sent: a
 * channel counts its limit by when requests arrive, which is after they were claimed, so the
 * window is counted from when the round's last request was done (never too early).
 */
export async function settleChannelRequests(
  dataSource: DataSource,
  channels: readonly string[],
  claimedAt: Date,
  sentAt: Date,
): Promise<void> {
  if (channels.length === 0 || sentAt.getTime() <= claimedAt.getTime()) return;
  await dataSource.query(
    `UPDATE notification_channel_requests SET at = $3
      WHERE channel = ANY($1::text[]) AND at = $2`,
    [channels, claimedAt, sentAt],
  );
}

export async function pruneChannelRequests(dataSource: DataSource, olderThan: Date): Promise<void> {
  await dataSource.query(`DELETE FROM notification_channel_requests WHERE at < $1`, [olderThan]);
}

export interface DeliveryCount {
  channel: string;
  status: DeliveryStatus;
  n: number;
}

export async function countDeliveries(dataSource: DataSource): Promise<DeliveryCount[]> {
  return dataSource.query<DeliveryCount[]>(
    `SELECT channel, status, count(*)::int AS n FROM notification_deliveries GROUP BY 1, 2 ORDER BY 1, 2`,
  );
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channel?: string;
  escalationId?: string;
}

/** Newest first; for operators (`GET /deliveries`) and an escalation's page. */
export async function listDeliveries(
  sql: Pick<DataSource, 'query'>,
  filter: DeliveryFilter,
  page: { page: number; pageSize: number },
): Promise<{ items: Delivery[]; total: number }> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: unknown, cast = '') => {
    params.push(value);
    conditions.push(`${column} = $${params.length}${cast}`);
  };
  if (filter.status !== undefined) add('status', filter.status);
  if (filter.channel !== undefined) add('channel', filter.channel);
  if (filter.escalationId !== undefined) add('escalation_id', filter.escalationId, '::uuid');
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = await sql.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM notification_deliveries ${where}`,
    params,
  );
  const rows = await sql.query<DeliveryRow[]>(
    `SELECT * FROM notification_deliveries ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.pageSize, (page.page - 1) * page.pageSize],
  );
  return { items: rows.map(toDelivery), total: total[0]?.n ?? 0 };
}

/** The order facts a notice shows (never the citizen's data): category and urgency. */
export async function orderFactsForNotice(
  dataSource: DataSource,
  workOrderId: string,
): Promise<{ category: string | null; urgency: string | null } | null> {
  const rows = await dataSource.query<{ category: string | null; urgency: string | null }[]>(
    `SELECT category, urgency FROM work_orders WHERE work_order_id = $1`,
    [workOrderId],
  );
  return rows[0] ?? null;
}
