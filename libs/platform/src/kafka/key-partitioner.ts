/**
 * The producers' partitioner: a keyed message goes where the Java client's default partitioner
 * puts it (murmur2 of the key's bytes, positive, modulo the partition count), so an order's
 * messages share a partition whichever client wrote them. kafkajs's own DefaultPartitioner
 * computes the same hash through 64-bit Long objects and filters the partition list for every
 * message; this one uses 32-bit integer multiplication and filters only for unkeyed messages.
 */
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** A key's bytes: strings are encoded into one reused buffer when they fit. */
const scratch = Buffer.allocUnsafe(1024);

function keyBytes(key: Buffer | string): { data: Buffer; length: number } {
  if (Buffer.isBuffer(key)) return { data: key, length: key.length };
  const text = String(key);
  // At most three bytes per UTF-16 unit: a key that could overflow the scratch is encoded alone.
  if (text.length * 3 > scratch.length) {
    const data = Buffer.from(text);
    return { data, length: data.length };
  }
  return { data: scratch, length: scratch.write(text) };
}

/** Kafka's `Utils.murmur2` (org.apache.kafka.common.utils), a signed 32-bit result. */
export function murmur2(key: Buffer | string): number {
  const { data, length } = keyBytes(key);
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2]! << 16;
    if (rest >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partitioner: an explicit partition is kept; a key is hashed (murmur2); a message with
 * neither goes round-robin over the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const count = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      return (murmur2(message.key) & 0x7fffffff) % count;
    }
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[next % available.length]!.partitionId;
    return next % count;
  };
};
