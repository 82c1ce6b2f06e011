/**
 * Personal numbers inside free text (title, content, address, event notes) through the real API
 * process and PostgreSQL: masked for a unit token in the list, the detail, the timeline and the
 * CSV/XLSX exports; shown in full only to a supervisor who asks to reveal, audit-logged.
 */
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { CITIZEN, UNITS, startApi, type RunningApi } from './api-process';

const ORDER = 'TJ-MASK-1';
const PHONE = '13812345678';
const ID_CARD = '12010119900307123X';
const LANDLINE = '022-23456789';
const TITLE = `噪音扰民，联系电话${PHONE}`;
const ADDRESS = `泰达街道第三大街12号，身份证${ID_CARD}`;
const CONTENT = `市民反映夜间施工噪音，身份证号${ID_CARD}，手机${PHONE}，座机${LANDLINE}`;
const RAW = [PHONE, ID_CARD, '23456789'];
const MASKED = ['138****5678', '120***********123X', '022****6789'];

describe('free-text personal data in the API', () => {
  let run: RunningApi;
  const get = (path: string, token: string) =>
    fetch(`${run.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const unitToken = () => run.token('unit', { unitId: UNITS[0] });

  beforeAll(async () => {
    run = await startApi('api_mask', {});
    const sql = new Client({ connectionString: run.db.url });
    await sql.connect();
    try {
      const dispatched = {
        eventId: `${ORDER}-1`,
        type: 'dispatched',
        workOrderId: ORDER,
        occurredAt: '2024-03-04T09:00:00+08:00',
        data: {
          unitId: UNITS[0],
          category: 'complaint',
          urgency: 'normal',
          title: TITLE,
          content: CONTENT,
          address: ADDRESS,
          citizen: CITIZEN,
        },
      };
      await sql.query(
        `INSERT INTO work_order_events (event_id, work_order_id, type, occurred_at, payload, source_topic, source_partition, source_offset)
         VALUES ($1, $2, 'dispatched', $3, $4, 'test', 0, 0)`,
        [dispatched.eventId, ORDER, dispatched.occurredAt, JSON.stringify(dispatched)],
      );
      await sql.query(
        `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, event_count,
                                  received_at, accept_due_at, accept_outcome)
         VALUES ($1, 'dispatched', $2, 'complaint', 'normal', $3, 1,
                 '2024-03-04T01:00:00Z', '2024-03-05T01:00:00Z', 'pending')`,
        [ORDER, UNITS[0], JSON.stringify({ citizen: CITIZEN, title: TITLE, address: ADDRESS })],
      );
    } finally {
      await sql.end();
    }
  });

  afterAll(async () => {
    await run?.stop();
  });

  const expectMasked = (text: string) => {
    for (const raw of RAW) expect(text).not.toContain(raw);
    return text;
  };

  it('masks the title in the list a unit sees', async () => {
    const res = await get(`/work-orders?unitId=${UNITS[0]}`, unitToken());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { workOrderId: string; title: string }[] };
    const item = body.items.find((i) => i.workOrderId === ORDER);
    expect(item?.title).toBe('噪音扰民，联系电话138****5678');
    expectMasked(JSON.stringify(body));
  });

  it('masks title, content, address and the citizen in the detail and the timeline', async () => {
    const detail = (await (await get(`/work-orders/${ORDER}`, unitToken())).json()) as Record<
      string,
      unknown
    >;
    expect(detail).toMatchObject({
      title: '噪音扰民，联系电话138****5678',
      address: '泰达街道第三大街12号，身份证120***********123X',
      content: `市民反映夜间施工噪音，身份证号${MASKED[1]}，手机${MASKED[0]}，座机${MASKED[2]}`,
      citizen: { name: '张*', phone: '138****5678' },
    });
    expectMasked(JSON.stringify(detail));
    const timeline = await get(`/work-orders/${ORDER}/events`, unitToken());
    expect(timeline.status).toBe(200);
    const events = (await timeline.json()) as {
      items: { type: string; data: { content: string } }[];
    };
    expect(events.items.map((e) => e.type)).toEqual(['dispatched']);
    expect(events.items[0]?.data.content).toContain(MASKED[1]);
    expectMasked(JSON.stringify(events));
  });

  it('masks them in the CSV and the XLSX', async () => {
    const csv = await get('/work-orders.csv', unitToken());
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = expectMasked(await csv.text());
    expect(text).toContain('噪音扰民，联系电话138****5678');
    expect(text).toContain('泰达街道第三大街12号，身份证120***********123X');

    const xlsx = await get('/work-orders.xlsx', unitToken());
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.getWorksheet('工单');
    const cells: string[] = [];
    sheet?.eachRow((row) => row.eachCell((cell) => cells.push(cell.text)));
    expect(cells).toContain('噪音扰民，联系电话138****5678');
    expect(cells).toContain('泰达街道第三大街12号，身份证120***********123X');
    expectMasked(cells.join('\n'));
  });

  it('keeps another unit out of the order, its timeline and its export rows', async () => {
    const other = run.token('unit', { unitId: UNITS[1] });
    expect((await get(`/work-orders/${ORDER}`, other)).status).toBe(403);
    expect((await get(`/work-orders/${ORDER}/events`, other)).status).toBe(403);
    expect(await (await get('/work-orders.csv', other)).text()).not.toContain(ORDER);
    expect((await get(`/work-orders.csv?unitId=${UNITS[0]}`, other)).status).toBe(403);
  });

  it('shows them in full to a supervisor who reveals, after an audit row; a unit may not', async () => {
    expect((await get(`/work-orders/${ORDER}?reveal=true`, unitToken())).status).toBe(403);
    expect((await get(`/work-orders/${ORDER}/events?reveal=true`, unitToken())).status).toBe(403);
    const supervisor = run.token('supervisor', { subject: 'reveal-check' });
    const masked = (await (await get(`/work-orders/${ORDER}`, supervisor)).json()) as {
      title: string;
    };
    expect(masked.title).toBe('噪音扰民，联系电话138****5678');
    const full = (await (await get(`/work-orders/${ORDER}?reveal=true`, supervisor)).json()) as {
      title: string;
      address: string;
      content: string;
    };
    expect(full).toMatchObject({ title: TITLE, address: ADDRESS, content: CONTENT });
    const events = (await (
      await get(`/work-orders/${ORDER}/events?reveal=true`, supervisor)
    ).json()) as { items: { data: { content: string } }[] };
    expect(events.items[0]?.data.content).toBe(CONTENT);
    const sql = new Client({ connectionString: run.db.url });
    await sql.connect();
    try {
      const { rows } = await sql.query(
        `SELECT subject, action, work_order_id FROM audit_log WHERE subject = 'reveal-check'`,
      );
      expect(rows).toEqual([
        { subject: 'reveal-check', action: 'reveal_personal_data', work_order_id: ORDER },
        { subject: 'reveal-check', action: 'reveal_personal_data', work_order_id: ORDER },
      ]);
    } finally {
      await sql.end();
    }
  });
});
