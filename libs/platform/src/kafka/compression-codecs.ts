/**
 * The compression codecs kafkajs lacks (it has only gzip), so batches written by Java producers
 * with snappy, lz4 or zstd can be read, and the worker's own producers can write them. Each codec
 * is a pair of functions over whole record-batch payloads, in the framing Kafka's Java client
 * writes.
 */
import { compress as zstdWasmCompress, init as initZstdWasm } from '@bokuweb/zstd-wasm';
import { decompress as zstdDecompress } from 'fzstd';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';

export interface BatchCodec {
  compress(data: Buffer): Promise<Buffer>;
  decompress(data: Buffer): Buffer;
}

/** snappy-java's stream header: magic `\x82SNAPPY\x00`, then version and compatible version. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, 8).equals(XERIAL_MAGIC);
}

/**
 * Snappy as Kafka's Java client writes it (the xerial framing: the header, then blocks of a
 * 4-byte big-endian length and raw snappy), and raw snappy as librdkafka and others write it.
 */
export const snappyCodec: BatchCodec = {
  // Raw snappy: the Java client and librdkafka read both framings.
  compress: (data) => Promise.resolve(snappyCompress(data)),
  decompress(data) {
    if (!isXerial(data)) return Buffer.from(snappyUncompress(data) as Uint8Array);
    const blocks: Buffer[] = [];
    let at = XERIAL_HEADER_BYTES;
    while (at < data.length) {
      if (at + 4 > data.length) throw new Error('snappy: truncated xerial block length');
      const length = data.readUInt32BE(at);
      at += 4;
      if (at + length > data.length) throw new Error('snappy: truncated xerial block');
      blocks.push(Buffer.from(snappyUncompress(data.subarray(at, at + length)) as Uint8Array));
      at += length;
    }
    return Buffer.concat(blocks);
  },
};

/** The standard LZ4 frame format (Kafka ≥ 0.10, magic v2: correct header checksums). */
export const lz4Codec: BatchCodec = {
  compress: (data) => Promise.resolve(compressFrameSync(data)),
  decompress: (data) => decompressFrameSync(data),
};

/** zstd's default level, as the Java client uses it (`compression.zstd.level` unset). */
const ZSTD_LEVEL = 3;

/** The WebAssembly module is instantiated once, on first use (about 250 KB). */
let zstdEncoderReady: Promise<void> | undefined;

/**
 * A standard zstd frame. Two libraries because neither does both well: fzstd (pure JS) streams,
 * so it reads the frames zstd-jni's stream writes without a content size, which the WebAssembly
 * build can only decode into a fixed 1 MB buffer; the WebAssembly build compresses (fzstd cannot,
 * and Node 20's zlib has no zstd).
 */
export const zstdCodec: BatchCodec = {
  async compress(data) {
    zstdEncoderReady ??= initZstdWasm();
    await zstdEncoderReady;
    return Buffer.from(zstdWasmCompress(data, ZSTD_LEVEL));
  },
  decompress: (data) => Buffer.from(zstdDecompress(data)),
};
