/**
 * Record encoding for the producer: kafkajs's produce request (v3) for a burst's worth of
 * escalation messages, encoded with kafkajs's own record encoder and with the worker's
 * (libs/platform record-encoder.ts), in alternating rounds; the CPU of each round. The request's
 * record encoder is switched through the module cache, as the worker installs its own.
 */
import { cacheModule, kafkajsPath } from '../libs/platform/src/kafka/kafkajs-modules';
import { encodeRecord, kafkajsRecordEncoder } from '../libs/platform/src/kafka/record-encoder';

const WARM_ROUNDS = 3;
const ROUNDS = 15;
const PARTITIONS = 3;

type Encode = (record: object) => unknown;
type ProduceRequest = (options: object) => { encode(): Promise<unknown> };

export interface RecordEncoding {
  records: number;
  /** Rounds of each encoder timed (after WARM_ROUNDS not counted). */
  rounds: number;
  bytesPerValue: number;
  /** Median CPU milliseconds to encode the requests for `records` messages. */
  kafkajsMs: number;
  oursMs: number;
}

/** `records` messages like `value`, in requests of `perRequest` over three partitions. */
export async function compareRecordEncoders(
  value: string,
  records: number,
  perRequest: number,
): Promise<RecordEncoding> {
  const path = kafkajsPath('protocol/recordBatch/record/v0/index.js');
  const producePath = kafkajsPath('protocol/requests/produce/v3/request');
  const theirs = kafkajsRecordEncoder();
  let current: Encode = theirs;
  const saved = { record: require.cache[path], produce: require.cache[producePath] };
  // The request loaded afresh takes this record encoder, which encodes with `current`.
  cacheModule(path, (record: object) => current(record));
  delete require.cache[producePath];
  try {
    const produce = module.require(producePath) as ProduceRequest;
    const messages = Array.from({ length: perRequest }, (_, i) => ({
      key: `BURST${String(i).padStart(7, '0')}`,
      value,
      timestamp: Date.now(),
    }));
    const share = Math.ceil(perRequest / PARTITIONS);
    const round = async (encode: Encode): Promise<number> => {
      current = encode;
      const start = process.cpuUsage();
      for (let sent = 0; sent < records; sent += perRequest) {
        await produce({
          acks: -1,
          timeout: 1000,
          compression: 0,
          topicData: [
            {
              topic: 'bench.escalations',
              partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
                partition,
                messages: messages.slice(partition * share, (partition + 1) * share),
              })),
            },
          ],
        }).encode();
      }
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    const times = { kafkajs: [] as number[], ours: [] as number[] };
    for (let i = 0; i < WARM_ROUNDS + ROUNDS; i += 1) {
      const kafkajsMs = await round(theirs);
      const oursMs = await round(encodeRecord);
      if (i < WARM_ROUNDS) continue;
      times.kafkajs.push(kafkajsMs);
      times.ours.push(oursMs);
    }
    const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    return {
      records,
      rounds: ROUNDS,
      bytesPerValue: Buffer.byteLength(value),
      kafkajsMs: +median(times.kafkajs).toFixed(1),
      oursMs: +median(times.ours).toFixed(1),
    };
  } finally {
    require.cache[path] = saved.record;
    if (saved.produce) require.cache[producePath] = saved.produce;
    else delete require.cache[producePath];
  }
}
