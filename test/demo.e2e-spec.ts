/**
 * The main job at small scale: `scripts/demo.ts --exit` on the real broker and database runs a
 * simulated year through the worker and the API and prints the year's report.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '@hotline/platform';
import { loadSimulationData, simulateYear } from '@hotline/simulator';
import { createFreshDatabase, freePort, kafkaBrokers, type FreshDatabase } from '@hotline/testing';

const ROOT = resolve(__dirname, '..');

function runDemo(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'scripts/demo.ts',
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => done({ code, output }));
  });
}

describe('the demo', () => {
  let db: FreshDatabase;

  beforeAll(async () => {
    db = await createFreshDatabase('demo');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs a simulated year through worker and API and prints the report', async () => {
    const orders = 300;
    const { code, output } = await runDemo(
      {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        WORKER_PORT: String(await freePort()),
        API_PORT: String(await freePort()),
        NOTIFIER_PORT: String(await freePort()),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      ['--exit', '--orders', String(orders), '--seed', '7', '--year', '2024'],
    );
    expect({ code, tail: output.slice(-600) }).toMatchObject({ code: 0 });
    expect(output).toContain('12345 工单统计 2024 年');
    expect(output).toContain('demo finished');

    // 受理量 in the total row: every simulated order dispatched in 2024, less those excluded from
    // assessment (不计考核), as the default formula says.
    const simulated = simulateYear({
      seed: 7,
      year: 2024,
      orders,
      ...loadSimulationData(loadConfig().files),
    });
    const excluded = new Set(
      simulated.events.filter((e) => e.type === 'excluded').map((e) => e.workOrderId),
    );
    const dispatchedIn2024 = new Set(
      simulated.events
        .filter((e) => e.type === 'dispatched' && e.occurredAt.startsWith('2024'))
        .map((e) => e.workOrderId),
    );
    const expectedReceived = [...dispatchedIn2024].filter((id) => !excluded.has(id)).length;
    const totalRow = output.split('\n').find((line) => line.startsWith('合计'));
    expect(totalRow).toBeDefined();
    expect(Number(totalRow!.split(/\s+/)[1]!.replace(/,/g, ''))).toBe(expectedReceived);

    // Published while the worker reads, the escalations agree with the rates: each completion
    // overdue escalation is a completion finished late or still open past due (a few more: stages
    // that ran out and then ended by a return or re-dispatch).
    const check = /超时未办结督办 ([\d,]+) ≈ 逾期办结 ([\d,]+) \+ 期末超期未办结 ([\d,]+)/.exec(
      output,
    );
    expect(check).not.toBeNull();
    const [escalated, late, open] = check!.slice(1).map((n) => Number(n.replace(/,/g, '')));
    expect(late! + open!).toBeGreaterThan(0);
    expect(escalated).toBeGreaterThanOrEqual(late! + open!);
    expect(escalated! - (late! + open!)).toBeLessThanOrEqual(Math.max(3, 0.05 * (late! + open!)));
  }, 240_000);
});
