import { lz4Codec, snappyCodec, zstdCodec } from './compression-codecs';

const TEXT = '12345 hotline 12345 hotline 12345 hotline';

// Written by the broker's own libraries (snappy-java's SnappyOutputStream, Kafka's
// Lz4BlockOutputStream, zstd-jni's ZstdOutputStream), as the Java producer compresses a batch.
const JAVA = {
  snappy: '82534e41505059000000000100000001000000132934313233343520686f746c696e65206a0e00',
  lz4: '04224d1860408218000000ef313233343520686f746c696e65200e000350746c696e6500000000',
  zstd: '28b52ffd0058a5000070313233343520686f746c696e65200100114e25',
};

const hex = (value: string) => Buffer.from(value, 'hex');

describe('batch compression codecs', () => {
  it.each([
    ['snappy (xerial framing)', snappyCodec, JAVA.snappy],
    ['lz4 (frame format)', lz4Codec, JAVA.lz4],
    ['zstd (frame)', zstdCodec, JAVA.zstd],
  ])('reads %s as the Java client writes it', (_, codec, bytes) => {
    expect(codec.decompress(hex(bytes)).toString('utf8')).toBe(TEXT);
  });

  it('reads raw snappy, as librdkafka writes it', () => {
    // Length 5 as a varint, then one literal of 5 bytes.
    expect(snappyCodec.decompress(hex('0510' + Buffer.from('hello').toString('hex')))).toEqual(
      Buffer.from('hello'),
    );
  });

  it('joins the blocks of a xerial stream in order', () => {
    const header = hex('82534e4150505900' + '00000001' + '00000001');
    const block = (text: string) => {
      const raw = Buffer.concat([hex('0510'), Buffer.from(text)]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(raw.length);
      return Buffer.concat([length, raw]);
    };
    const stream = Buffer.concat([header, block('hello'), block('world')]);
    expect(snappyCodec.decompress(stream).toString('utf8')).toBe('helloworld');
  });

  it('refuses a truncated xerial block instead of returning part of the batch', () => {
    const stream = hex(JAVA.snappy);
    expect(() => snappyCodec.decompress(stream.subarray(0, stream.length - 3))).toThrow(
      /truncated/,
    );
  });

  it.each([
    ['snappy', snappyCodec],
    ['lz4', lz4Codec],
    ['zstd', zstdCodec],
  ])('%s reads back what it writes, smaller than it was', async (_, codec) => {
    const data = Buffer.from(TEXT.repeat(50));
    const compressed = await codec.compress(data);
    expect(compressed.length).toBeLessThan(data.length / 4);
    expect(codec.decompress(compressed)).toEqual(data);
  });
});
