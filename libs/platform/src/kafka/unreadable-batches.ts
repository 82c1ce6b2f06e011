/**
 * A record batch the worker cannot decompress (a codec id it has no codec for, such as a future
 * one, or a codec that fails on the bytes) must not fail the whole fetch: kafkajs would throw for
 * every partition of the broker and crash the group. Guarded, such a batch decodes into stand-in
 * records, one per record of the batch at its offsets, each with no key or value and a header
 * saying why; the consumer pauses the partition on the first one and tries again later, so the
 * batch is read for real once the codec is there. Nothing is skipped: no stand-in is applied or
 * committed.
 */
import { CompressionCodecs } from 'kafkajs';

/** The header on a stand-in record: why its batch could not be read. */
export const UNREADABLE_BATCH_HEADER = 'x-hotline-unreadable-batch';

interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}
type CodecFactory = () => KafkajsCodec;

/** Codec ids a record batch's attributes can name (3 bits; 0 is uncompressed). */
const CODEC_IDS = [1, 2, 3, 4, 5, 6, 7];

/**
 * Guards every codec id of kafkajs's registry: assignments to it still register codecs, and
 * lookups get the registered codec with decompression failures turned into stand-in records.
 */
export function guardCompressionCodecs(codecs: Record<number, CodecFactory | undefined>): void {
  for (const id of CODEC_IDS) {
    let inner = unwrap(codecs[id]);
    Object.defineProperty(codecs, id, {
      configurable: true,
      enumerable: true,
      // The codec registered now: a factory read here and assigned back later restores it.
      get: () => {
        const registered = inner;
        return Object.assign(() => guardedCodec(id, registered), { [REGISTERED]: registered });
      },
      set: (factory: CodecFactory | undefined) => {
        inner = unwrap(factory);
      },
    });
  }
}

const REGISTERED = Symbol('registered codec');

function unwrap(factory: CodecFactory | undefined): CodecFactory | undefined {
  if (factory === undefined || !(REGISTERED in factory)) return factory;
  return (factory as CodecFactory & { [REGISTERED]: CodecFactory | undefined })[REGISTERED];
}

function guardedCodec(id: number, factory: CodecFactory | undefined): KafkajsCodec {
  return {
    compress: (encoder) => {
      if (!factory) throw new Error(`compression codec ${id} is not supported`);
      return factory().compress(encoder);
    },
    decompress: async (data) => {
      try {
        if (!factory) throw new Error(`compression codec ${id} is not supported by this worker`);
        return await factory().decompress(data);
      } catch (error) {
        const count = recordCountBefore(data);
        if (count === null) throw error;
        const why = `record batch compressed with codec ${id} cannot be read: ${
          error instanceof Error ? error.message : String(error)
        }`;
        return standInRecords(count, why.slice(0, 500));
      }
    },
  };
}

/**
 * The batch's record count: kafkajs hands the codec the bytes after it, a view into the fetch
 * response, so the count is the 4 bytes before the view. Null when the view has nothing before it.
 */
function recordCountBefore(data: Buffer): number | null {
  if (data.byteOffset < 4) return null;
  const count = Buffer.from(data.buffer, data.byteOffset - 4, 4).readInt32BE(0);
  return count > 0 && count <= 10_000_000 ? count : null;
}

/** `count` records (format v2) at offset deltas 0…count-1, each with only the reason header. */
export function standInRecords(count: number, reason: string): Buffer {
  const name = Buffer.from(UNREADABLE_BATCH_HEADER);
  const value = Buffer.from(reason);
  const parts: Buffer[] = [];
  for (let delta = 0; delta < count; delta += 1) {
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      varint(0), // timestamp delta
      varint(delta), // offset delta
      varint(-1), // no key
      varint(-1), // no value
      varint(1), // one header
      varint(name.length),
      name,
      varint(value.length),
      value,
    ]);
    parts.push(varint(body.length), body);
  }
  return Buffer.concat(parts);
}

/** Kafka's zigzag varint. */
function varint(n: number): Buffer {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  const bytes: number[] = [];
  while (z > 0x7f) {
    bytes.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

// Once, at module load; codecs registered after this (kafka-client.ts) are guarded as well.
guardCompressionCodecs(CompressionCodecs);
