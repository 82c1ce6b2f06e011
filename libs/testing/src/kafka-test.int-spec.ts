import { consumeAll, createFreshTopics, deleteTopics, produceRaw } from './kafka-test';

describe('Kafka test helpers against the local broker', () => {
  let topics: string[] = [];

  afterAll(async () => {
    await deleteTopics(topics);
  });

  it('round-trips keys, string and binary values and headers through fresh topics', async () => {
    topics = await createFreshTopics(['roundtrip', 'untouched'], 2);
    const [roundtrip, untouched] = topics as [string, string];
    expect(roundtrip).toMatch(/^roundtrip\.[a-z0-9]+-[0-9a-f]{6}$/);
    expect(untouched.split('.')[1]).toBe(roundtrip.split('.')[1]);

    await produceRaw(roundtrip, [
      {
        key: 'WO-1',
        value: '{"type":"dispatched"}',
        headers: { 'content-type': 'application/json' },
      },
      {
        key: 'WO-2',
        value: Buffer.from([0xff, 0x00, 0x7f]),
        headers: { trace: Buffer.from('天津') },
      },
      { key: 'WO-1', value: '{"type":"accepted"}', partition: 1 },
    ]);
    const messages = await consumeAll(roundtrip, { expected: 3, timeoutMs: 20_000 });

    expect(messages).toHaveLength(3);
    const byValue = new Map(messages.map((m) => [m.value?.toString('hex'), m]));
    expect(byValue.get(Buffer.from('{"type":"dispatched"}').toString('hex'))).toMatchObject({
      key: 'WO-1',
      headers: { 'content-type': 'application/json' },
    });
    expect(byValue.get('ff007f')).toMatchObject({ key: 'WO-2', headers: { trace: '天津' } });
    expect(byValue.get(Buffer.from('{"type":"accepted"}').toString('hex'))).toMatchObject({
      key: 'WO-1',
      partition: 1,
      headers: {},
    });
    expect(messages.every((m) => /^\d+$/.test(m.offset))).toBe(true);
  });

  it('returns what arrived when fewer messages than expected come before the timeout', async () => {
    const [, untouched] = topics as [string, string];
    const messages = await consumeAll(untouched, { expected: 1, timeoutMs: 1500 });
    expect(messages).toEqual([]);
  });
});
