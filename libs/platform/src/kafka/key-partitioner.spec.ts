import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { keyPartitioner, murmur2 } from './key-partitioner';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('keyPartitioner', () => {
  it.each([
    // Kafka's own test vectors (UtilsTest.testMurmur2).
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j as the Java client does', (key, hash) => {
    expect(murmur2(key)).toBe(hash);
  });

  it('puts every keyed message where kafkajs’s Java-compatible partitioner puts it', () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 600 }),
          fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
        ),
        fc.integer({ min: 1, max: 64 }),
        (key, count) => {
          const args = {
            topic: 't',
            partitionMetadata: metadata(count),
            message: { key, value: null },
          };
          expect(ours(args)).toBe(theirs(args));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps an explicit partition', () => {
    const partition = keyPartitioner();
    expect(
      partition({
        topic: 't',
        partitionMetadata: metadata(3),
        message: { key: 'x', value: null, partition: 2 },
      }),
    ).toBe(2);
  });

  it('spreads unkeyed messages round-robin over the partitions with a leader', () => {
    const partition = keyPartitioner();
    const chosen = Array.from({ length: 6 }, () =>
      partition({ topic: 't', partitionMetadata: metadata(4, [1]), message: { value: 'v' } }),
    );
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3]));
    expect(chosen.slice(3)).toEqual(chosen.slice(0, 3));
  });
});
