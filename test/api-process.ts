/**
 * Setup for the API's end-to-end tests: a fresh database with two units' orders and escalations
 * (a citizen's name and phone in each order), the real API process on it, and bearer tokens.
 * Tokens are HS256 JWTs built here with the claims the API's tokens carry (`sub`, `role`,
 * `unitId`, `iat`, `exp`), so these tests depend on the token format, not on a signing helper.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  createFreshDatabase,
  startWorker,
  waitFor,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import { Client } from 'pg';

export type Role = 'leader' | 'supervisor' | 'unit';

export const CITIZEN = { name: '张三', phone: '13812345678' };
export const UNITS = ['teda-enforcement', 'teda-community-1'] as const;

export interface RunningApi {
  base: string;
  api: WorkerProcess;
  db: FreshDatabase;
  /** The seeded orders' ids and their escalations' ids, by unit. */
  orders: readonly string[];
  escalations: readonly string[];
  /** A token for `role` (a unit token for UNITS[0] unless another is named); `subject` tells tokens apart. */
  token(role: Role, options?: { unitId?: string; subject?: string }): string;
  stop(): Promise<void>;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs256(claims: object, secret: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function seed(url: string, orders: string[], escalations: string[]): Promise<void> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    for (const [i, unit] of UNITS.entries()) {
      const order = orders[i] as string;
      await sql.query(
        `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, event_count,
                                  received_at, accept_due_at, accept_outcome)
         VALUES ($1, 'dispatched', $2, 'complaint', 'normal', $3, 1,
                 '2024-03-04T01:00:00Z', '2024-03-05T01:00:00Z', 'pending')`,
        [order, unit, JSON.stringify({ citizen: CITIZEN, title: '噪音扰民' })],
      );
      await sql.query(
        `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                  round, level, status, reason, due_at, fired_at, level_changed_at, recipients)
         VALUES ($1, $2, $3, $4, 'accept_overdue', 1, 0, 2, 'open', '超时未接单', '2024-03-05T01:00:00Z',
                 '2024-03-05T01:00:00Z', '2024-03-05T01:00:00Z', '["liaison"]')`,
        [escalations[i], `${order}:accept_overdue:1:0`, order, unit],
      );
      await sql.query(
        `INSERT INTO escalation_levels (escalation_id, level, reached_at, why)
         VALUES ($1, 2, '2024-03-05T01:00:00Z', 'fired')`,
        [escalations[i]],
      );
    }
  } finally {
    await sql.end();
  }
}

/** A fresh database, seeded, and the API on it with `env` on top of its defaults. */
export async function startApi(prefix: string, env: Record<string, string>): Promise<RunningApi> {
  const secret = randomBytes(32).toString('hex');
  const db = await createFreshDatabase(prefix);
  const orders = UNITS.map((_, i) => `TJ-E2E-${i + 1}`);
  const escalations = UNITS.map(() => randomUUID());
  let api: WorkerProcess | undefined;
  try {
    await seed(db.url, orders, escalations);
    api = await startWorker(
      { DATABASE_URL: db.url, JWT_SECRET: secret, MIGRATE_ON_START: 'false', ...env },
      'api',
    );
    const base = `http://127.0.0.1:${api.port}`;
    const running = api;
    await waitFor(`the API\n${running.output()}`, async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );
    return {
      base,
      api: running,
      db,
      orders,
      escalations,
      token(role, options = {}) {
        const iat = Math.floor(Date.now() / 1000);
        const unitId = role === 'unit' ? (options.unitId ?? UNITS[0]) : undefined;
        return hs256(
          { sub: options.subject ?? `${role}-1`, role, unitId, iat, exp: iat + 3600 },
          secret,
        );
      },
      async stop() {
        await running.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await api?.stop();
    await db.drop();
    throw error;
  }
}
