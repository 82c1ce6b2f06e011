/**
 * Record decoding, per record, with the worker's record decoder (libs/platform record-decoder.ts)
 * and with kafkajs's own, each in a fresh process started as the worker is (scripts/node-role.sh)
 * and taken in alternation: in one process the two would share its heap, and the collections one
 * causes would fall on the other. `compareRecordDecoders` (bench/ingest.bench.ts) encodes the
 * messages as a fetch brings them (record batches of 2,000, format v2) into a file and runs this
 * file on it, once per decoder and round:
 *
 *   sh scripts/node-role.sh worker -r ts-node/register/transpile-only bench/record-decoding.ts <ours|kafkajs> <file>
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installRecordDecoder } from '../libs/platform/src/kafka/record-decoder';

const ROOT = resolve(__dirname, '..');
/** Passes over the file's batches in each process (the first warms the code up, unmeasured). */
const PASSES = 10;
const ROUNDS = 3;

const kafkajsInternal = (path: string): unknown =>
  module.require(require.resolve(`kafkajs/src/${path}`));

type Decoder = new (buffer: Buffer) => unknown;
type BatchDecoder = (decoder: unknown) => Promise<{ records: unknown[] }>;

/** The file: each batch as a 4-byte length and its bytes. */
function readBatches(file: string): Buffer[] {
  const all = readFileSync(file);
  const batches: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const length = all.readUInt32BE(at);
    batches.push(all.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return batches;
}

/** In the child: decodes the file's batches PASSES times; prints microseconds per record. */
async function measure(decoder: string, file: string): Promise<void> {
  if (decoder === 'ours' && installRecordDecoder() !== 'installed') {
    throw new Error('the worker’s record decoder could not be installed');
  }
  const Decoder = kafkajsInternal('protocol/decoder') as Decoder;
  const decode = kafkajsInternal('protocol/recordBatch/v0/decoder') as BatchDecoder;
  const batches = readBatches(file);
  let records = 0;
  let start = 0n;
  for (let pass = 0; pass <= PASSES; pass += 1) {
    if (pass === 1) start = process.hrtime.bigint();
    for (const batch of batches) {
      const { records: decoded } = await decode(new Decoder(batch));
      if (pass > 0) records += decoded.length;
    }
  }
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / records;
  process.stdout.write(JSON.stringify({ micros }));
}

/** kafkajs's encoders, to write the batches as a broker sends them. */
interface KafkajsEncoders {
  RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
  Record: (options: object) => unknown;
  Long: { fromValue(value: number): unknown };
}

async function encodeBatches(
  messageBatches: Iterable<{ key: string; value: Buffer }[]>,
): Promise<Buffer> {
  const { RecordBatch } = kafkajsInternal('protocol/recordBatch/v0/index') as KafkajsEncoders;
  const Record = kafkajsInternal(
    'protocol/recordBatch/record/v0/index',
  ) as KafkajsEncoders['Record'];
  const Long = kafkajsInternal('utils/long') as KafkajsEncoders['Long'];
  const parts: Buffer[] = [];
  let offset = 0;
  const now = Date.now();
  for (const batch of messageBatches) {
    const { buffer } = await RecordBatch({
      firstOffset: Long.fromValue(offset),
      firstTimestamp: now,
      maxTimestamp: now,
      lastOffsetDelta: batch.length - 1,
      records: batch.map((m, i) =>
        Record({ offsetDelta: i, timestampDelta: 0, key: m.key, value: m.value, headers: {} }),
      ),
    });
    const length = Buffer.alloc(4);
    length.writeUInt32BE(buffer.length);
    parts.push(length, buffer);
    offset += batch.length;
  }
  return Buffer.concat(parts);
}

/** The median of ROUNDS processes per decoder, taken in alternation: µs per record. */
export async function compareRecordDecoders(
  messageBatches: Iterable<{ key: string; value: Buffer }[]>,
): Promise<{ ours: number; kafkajs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'record-decoding-'));
  const file = join(dir, 'batches');
  try {
    writeFileSync(file, await encodeBatches(messageBatches));
    const runs: Record<'ours' | 'kafkajs', number[]> = { ours: [], kafkajs: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const decoder of ['ours', 'kafkajs'] as const) {
        const run = spawnSync(
          'sh',
          [
            'scripts/node-role.sh',
            'worker',
            '-r',
            'ts-node/register/transpile-only',
            __filename,
            decoder,
            file,
          ],
          { cwd: ROOT, encoding: 'utf8' },
        );
        if (run.status !== 0) throw new Error(`record decoding (${decoder}): ${run.stderr}`);
        runs[decoder].push((JSON.parse(run.stdout) as { micros: number }).micros);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    return { ours: median(runs.ours), kafkajs: median(runs.kafkajs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [decoder, file] = process.argv.slice(2);
  measure(decoder ?? '', file ?? '').catch((error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  });
}
