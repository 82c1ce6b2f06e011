/**
 * Forwards rejected messages to the dead-letter topic so that a dead letter always fits: one too
 * large to forward whole with its `x-dlq-*` headers keeps its original in PostgreSQL and is
 * forwarded as an excerpt with the original's digest and the stored row's id; sends are split to
 * stay under the broker's batch limit; a send the broker refuses is tried again, split down to
 * the message it refuses, and that message is parked in PostgreSQL (forwarded later by
 * `forwardParked`). Nothing here throws on the broker's account: only a database that cannot
 * store a parked letter stops the caller (which retries).
 */
import { createHash } from 'node:crypto';
import {
  loadParkedDeadLetters,
  settleParkedDeadLetters,
  storeDeadLetters,
  type StoredDeadLetter,
} from '@hotline/persistence';
import type { IHeaders, Message, Producer } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import type { Rejection } from './ingest-batch.service';

/** Header names on dead-letter messages; the original key, value and headers are kept as they were. */
export const DLQ_HEADERS = {
  code: 'x-dlq-code',
  message: 'x-dlq-message',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  rejectedAt: 'x-dlq-rejected-at',
  /** Present on an excerpt: the original is in the `dead_letters` table under this id. */
  storedId: 'x-dlq-stored-id',
  originalBytes: 'x-dlq-original-bytes',
  originalSha256: 'x-dlq-original-sha256',
  excerptBytes: 'x-dlq-excerpt-bytes',
} as const;

const MAX_REASON_CHARS = 2000;
/** A key longer than this is cut in an excerpt (it only partitions the dead-letter topic). */
const MAX_EXCERPT_KEY_BYTES = 1024;
/** Per-record overhead in a record batch (lengths, deltas, attributes), and per header. */
const RECORD_OVERHEAD_BYTES = 32;
const HEADER_OVERHEAD_BYTES = 10;
const BATCH_OVERHEAD_BYTES = 128;

export interface DeadLetterLimits {
  /** Largest send (estimated record-batch bytes); a single dead letter above it is excerpted. */
  maxBatchBytes: number;
  excerptBytes: number;
  /** Tries of a refused send before it is split or parked. */
  sendAttempts: number;
}

export interface DeadLetterCounts {
  forwarded: number;
  /** Of the forwarded: excerpts whose original is in PostgreSQL. */
  excerpted: number;
  parked: number;
}

export type DeadLetterObserver = (
  counts: DeadLetterCounts,
  refusal: { error: unknown } | null,
) => void;

interface Letter {
  original: StoredDeadLetter;
  /** The `dead_letters` row, once stored. */
  storedId: string | null;
  message: Message;
  bytes: number;
  excerpt: boolean;
}

export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly dataSource: DataSource,
    private readonly limits: DeadLetterLimits,
    private readonly observe: DeadLetterObserver = () => undefined,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves once every dead letter is acknowledged by the broker (all replicas) or parked. */
  async publish(rejections: readonly Rejection[], rejectedAt: Date): Promise<DeadLetterCounts> {
    if (rejections.length === 0) return { forwarded: 0, excerpted: 0, parked: 0 };
    const originals = rejections.map((r) => originalOf(r, rejectedAt));
    const letters = await this.compose(originals, new Map());
    return this.forward(letters);
  }

  /** Offers up to `limit` parked dead letters to the broker again; true when there may be more. */
  async forwardParked(limit: number): Promise<boolean> {
    const parked = await loadParkedDeadLetters(this.dataSource, limit);
    if (parked.length === 0) return false;
    const letters = await this.compose(parked, new Map(parked.map((p) => [p, p.id])));
    const { sent, refused } = await this.sendAll(letters);
    await settleParkedDeadLetters(
      this.dataSource,
      sent.flatMap((l) => (l.storedId ? [l.storedId] : [])),
      refused.flatMap(({ letter, error }) =>
        letter.storedId ? [{ id: letter.storedId, error: describe(error) }] : [],
      ),
    );
    const excerpted = sent.filter((l) => l.excerpt).length;
    this.observe(
      { forwarded: sent.length, excerpted, parked: 0 },
      refused[0] ? { error: refused[0].error } : null,
    );
    return parked.length === limit && refused.length === 0;
  }

  private async forward(letters: Letter[]): Promise<DeadLetterCounts> {
    const { sent, refused } = await this.sendAll(letters);
    if (refused.length > 0) {
      const error = describe(refused[0]?.error);
      await storeDeadLetters(
        this.dataSource,
        refused.map(({ letter }) => letter.original),
        'parked',
        error,
      );
    }
    const counts = {
      forwarded: sent.length,
      excerpted: sent.filter((l) => l.excerpt).length,
      parked: refused.length,
    };
    this.observe(counts, refused[0] ? { error: refused[0].error } : null);
    return counts;
  }

  /**
   * The message for each original: whole when it fits, else an excerpt referring to its stored
   * row (stored now unless `storedIds` has it already).
   */
  private async compose(
    originals: readonly StoredDeadLetter[],
    storedIds: Map<StoredDeadLetter, string>,
  ): Promise<Letter[]> {
    const whole = originals.map((original) => {
      const message = wholeMessage(original);
      return { original, message, bytes: sizeOf(message) };
    });
    const tooLarge = whole.filter(
      (w) => w.bytes + BATCH_OVERHEAD_BYTES > this.limits.maxBatchBytes,
    );
    const unstored = tooLarge.filter((w) => !storedIds.has(w.original));
    const ids = await storeDeadLetters(
      this.dataSource,
      unstored.map((w) => w.original),
      'excerpted',
    );
    unstored.forEach((w, i) => storedIds.set(w.original, ids[i] ?? ''));
    return whole.map((w) => {
      const storedId = storedIds.get(w.original) ?? null;
      if (w.bytes + BATCH_OVERHEAD_BYTES <= this.limits.maxBatchBytes) {
        return { ...w, storedId, excerpt: false };
      }
      const message = excerptMessage(w.original, storedId ?? '', this.limits);
      return { original: w.original, storedId, message, bytes: sizeOf(message), excerpt: true };
    });
  }

  /** Sends in chunks under the batch limit; returns what the broker took and what it refused. */
  private async sendAll(
    letters: readonly Letter[],
  ): Promise<{ sent: Letter[]; refused: { letter: Letter; error: unknown }[] }> {
    const sent: Letter[] = [];
    const refused: { letter: Letter; error: unknown }[] = [];
    for (const chunk of chunksUnder(letters, this.limits.maxBatchBytes - BATCH_OVERHEAD_BYTES)) {
      await this.sendChunk(chunk, sent, refused);
    }
    return { sent, refused };
  }

  /** Tries a chunk; a refused chunk of several is split in two, a refused single one is returned. */
  private async sendChunk(
    chunk: readonly Letter[],
    sent: Letter[],
    refused: { letter: Letter; error: unknown }[],
  ): Promise<void> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= this.limits.sendAttempts; attempt += 1) {
      try {
        await this.producer.send({
          topic: this.topic,
          acks: -1,
          messages: chunk.map((l) => l.message),
        });
        sent.push(...chunk);
        return;
      } catch (error) {
        lastError = error;
        // A refusal of the content (size, a corrupt record) is not cured by waiting: split now.
        if (chunk.length > 1 && isContentRefusal(error)) break;
        if (attempt < this.limits.sendAttempts) await this.sleep(250 * 2 ** (attempt - 1));
      }
    }
    if (chunk.length > 1 && isContentRefusal(lastError)) {
      const half = Math.ceil(chunk.length / 2);
      await this.sendChunk(chunk.slice(0, half), sent, refused);
      await this.sendChunk(chunk.slice(half), sent, refused);
      return;
    }
    for (const letter of chunk) refused.push({ letter, error: lastError });
  }
}

/** What is kept of a rejection: the original key, value and headers, and why. */
function originalOf(rejection: Rejection, rejectedAt: Date): StoredDeadLetter {
  const { message } = rejection;
  const headers: StoredDeadLetter['headers'] = [];
  for (const [name, value] of Object.entries(message.headers)) {
    for (const each of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      const bytes = typeof each === 'string' ? Buffer.from(each) : each;
      headers.push({ name, value: bytes.toString('base64') });
    }
  }
  return {
    sourceTopic: message.topic,
    sourcePartition: message.partition,
    sourceOffset: message.offset,
    code: rejection.code,
    reason: rejection.reason,
    details: rejection.details ?? {},
    key: message.key,
    value: message.value,
    headers,
    valueSha256: createHash('sha256')
      .update(message.value ?? Buffer.alloc(0))
      .digest('hex'),
    rejectedAt,
  };
}

function dlqHeaders(original: StoredDeadLetter): Record<string, string> {
  return {
    ...original.details,
    [DLQ_HEADERS.code]: original.code,
    [DLQ_HEADERS.message]: original.reason.slice(0, MAX_REASON_CHARS),
    [DLQ_HEADERS.sourceTopic]: original.sourceTopic,
    [DLQ_HEADERS.sourcePartition]: String(original.sourcePartition),
    [DLQ_HEADERS.sourceOffset]: original.sourceOffset,
    [DLQ_HEADERS.rejectedAt]: original.rejectedAt.toISOString(),
  };
}

function wholeMessage(original: StoredDeadLetter): Message {
  const headers: IHeaders = {};
  for (const { name, value } of original.headers) {
    const bytes = Buffer.from(value, 'base64');
    const existing = headers[name];
    if (existing === undefined) headers[name] = bytes;
    else headers[name] = [...(Array.isArray(existing) ? existing : [existing]), bytes];
  }
  Object.assign(headers, dlqHeaders(original));
  return { key: original.key, value: original.value, headers };
}

/** The first bytes of the value, the digest and size of the whole, and where it is stored. */
function excerptMessage(
  original: StoredDeadLetter,
  storedId: string,
  limits: DeadLetterLimits,
): Message {
  const value = original.value ?? Buffer.alloc(0);
  const room = Math.max(0, limits.maxBatchBytes - BATCH_OVERHEAD_BYTES - 8192);
  const excerpt = value.subarray(0, Math.min(limits.excerptBytes, room));
  return {
    key: original.key ? original.key.subarray(0, MAX_EXCERPT_KEY_BYTES) : null,
    value: excerpt,
    headers: {
      ...dlqHeaders(original),
      [DLQ_HEADERS.storedId]: storedId,
      [DLQ_HEADERS.originalBytes]: String(value.length),
      [DLQ_HEADERS.originalSha256]: original.valueSha256,
      [DLQ_HEADERS.excerptBytes]: String(excerpt.length),
    },
  };
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** A record's size in a batch, estimated from above. */
function sizeOf(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    for (const each of Array.isArray(value) ? value : [value]) {
      bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + byteLength(each);
    }
  }
  return bytes;
}

function* chunksUnder(letters: readonly Letter[], maxBytes: number): Generator<Letter[]> {
  let chunk: Letter[] = [];
  let bytes = 0;
  for (const letter of letters) {
    if (chunk.length > 0 && bytes + letter.bytes > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(letter);
    bytes += letter.bytes;
  }
  if (chunk.length > 0) yield chunk;
}

/** The broker refused what was sent (its size or form), as opposed to being unreachable. */
function isContentRefusal(error: unknown): boolean {
  const e = error as { type?: unknown; retriable?: unknown; cause?: unknown } | null;
  if (!e) return false;
  if (
    typeof e.type === 'string' &&
    /TOO_LARGE|INVALID_RECORD|CORRUPT_MESSAGE|INVALID_REQUEST/.test(e.type)
  ) {
    return true;
  }
  return e.cause ? isContentRefusal(e.cause) : false;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
