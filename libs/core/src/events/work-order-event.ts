/**
 * The input contract (contract.md §1): one JSON object per Kafka message, validated with zod.
 * Types are inferred from the schema so the parser and the code that folds events cannot drift.
 */
import { z } from 'zod';
import { isUnencodableText } from './unencodable-text';

export const CATEGORIES = [
  'consultation',
  'help',
  'complaint',
  'report',
  'suggestion',
  'praise',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ['life_safety', 'utility', 'urgent', 'normal'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const TAGS = [
  'key',
  'hot',
  'difficult',
  'wide_scope',
  'high_impact',
  'leader_instructed',
] as const;
export type Tag = (typeof TAGS)[number];

export const CALLBACK_RESULTS = [
  'satisfied',
  'basically_satisfied',
  'dissatisfied',
  'unreachable',
  'declined',
] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];

export const VERIFICATION_OUTCOMES = ['false_completion', 'genuine'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/**
 * A field of the contract, declared once: its zod schema (the authority: what is accepted, and the
 * errors a rejection names) and `asIs`, a check without allocation that a value is accepted
 * exactly as parsed from JSON: zod would accept it and return it unchanged (nothing stripped,
 * trimmed or converted). Events that pass `asIs` skip zod (the usual case, at ingestion's rate);
 * any other goes through zod, which decides. `asIs` may say false where zod accepts, never true
 * where zod refuses or changes the value (work-order-event.spec.ts checks that property).
 */
interface Field<S extends z.ZodType = z.ZodType> {
  zod: S;
  asIs: (value: unknown) => boolean;
  optional: boolean;
}

const field = <S extends z.ZodType>(zod: S, asIs: (value: unknown) => boolean): Field<S> => ({
  zod,
  asIs,
  optional: false,
});

function optional<S extends z.ZodType>(f: Field<S>): Field<z.ZodOptional<S>> {
  return { zod: f.zod.optional(), asIs: f.asIs, optional: true };
}

type Shape = Record<string, Field>;
type ZodShape<S extends Shape> = { [K in keyof S]: S[K]['zod'] };

/** A shape with what its as-is check needs precomputed: its size and its required keys. */
interface CheckedShape {
  fields: Shape;
  size: number;
  required: readonly string[];
}

function checked(fields: Shape): CheckedShape {
  const keys = Object.keys(fields);
  return { fields, size: keys.length, required: keys.filter((key) => !fields[key]!.optional) };
}

/**
 * Whether `value` is a JSON object with only the shape's keys (and those in `extra`), each as-is,
 * and every required one present.
 */
function objectAsIs(value: unknown, shape: CheckedShape, extra?: ReadonlySet<string>): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  let present = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    if (!Object.hasOwn(shape.fields, key)) {
      if (extra?.has(key)) continue;
      return false;
    }
    if (!shape.fields[key]!.asIs(record[key])) return false;
    present += 1;
  }
  return present === shape.size || shape.required.every((key) => Object.hasOwn(record, key));
}

function object<S extends Shape>(shape: S): Field<z.ZodObject<ZodShape<S>>> {
  const zodShape = Object.fromEntries(
    Object.entries(shape).map(([key, f]) => [key, f.zod]),
  ) as ZodShape<S>;
  const checkedShape = checked(shape);
  return field(z.object(zodShape), (value) => objectAsIs(value, checkedShape));
}

/**
 * RFC 3339 with an explicit offset; impossible dates (02-30, 25:00) are rejected. Within RFC 3339,
 * only what the event log's `timestamptz` takes: PostgreSQL has no year 0000, no offset beyond
 * ±15:59, and refuses a text of more than about 128 characters (so at most 9 fractional digits:
 * nanoseconds; the rules read milliseconds).
 */
const instantSchema = z.iso.datetime({ offset: true });
const INSTANT_PATTERN = instantSchema._zod.def.pattern ?? /(?!)/;
const STORABLE_INSTANT = /^(?!0000)[^.]*(?:\.\d{1,9})?(?:Z|[+-](?:0\d|1[0-5]):\d\d)$/;
const STORABLE_INSTANT_MESSAGE =
  'the year must be 0001 or later, the offset within ±15:59, the fraction at most 9 digits';
const instant = field(
  instantSchema.regex(STORABLE_INSTANT, STORABLE_INSTANT_MESSAGE),
  (value) =>
    typeof value === 'string' && INSTANT_PATTERN.test(value) && STORABLE_INSTANT.test(value),
);
const text = (max: number) =>
  field(z.string().max(max), (value) => typeof value === 'string' && value.length <= max);
/** Trimmed by zod: as-is only when there is nothing to trim. */
const requiredText = (max: number) =>
  field(
    z.string().trim().min(1).max(max),
    (value) =>
      typeof value === 'string' &&
      value.length >= 1 &&
      value.length <= max &&
      value.trim().length === value.length,
  );
/**
 * An identifier taken exactly as sent (never trimmed: `" x "` and `"x"` are different ids) and
 * limited to characters every reader can address: a URL path segment, a query value, a CSV cell.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** The longest of each id the contract accepts (characters; ids are ASCII, so bytes too). */
export const ID_MAX_LENGTH = { eventId: 128, workOrderId: 64, unitId: 64 } as const;

/** Whether `text` is an id of the given kind the contract accepts (as `identifier` checks it). */
export function isIdentifier(text: string, kind: keyof typeof ID_MAX_LENGTH): boolean {
  return text.length <= ID_MAX_LENGTH[kind] && ID_PATTERN.test(text);
}
const identifier = (max: number) =>
  field(
    z
      .string()
      .min(1)
      .max(max)
      .regex(ID_PATTERN, 'letters, digits and . _ : - only, starting with a letter or digit'),
    (value) => typeof value === 'string' && value.length <= max && ID_PATTERN.test(value),
  );
function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
): Field<z.ZodEnum<{ [K in T[number]]: K }>> {
  const set = new Set<unknown>(values);
  return field(z.enum(values), (value) => set.has(value));
}
function tagList(min: number) {
  const tag = oneOf(TAGS);
  return field(
    z.array(tag.zod).min(min).max(TAGS.length),
    (value) =>
      Array.isArray(value) &&
      value.length >= min &&
      value.length <= TAGS.length &&
      value.every(tag.asIs),
  );
}
const workdays = field(
  z.number().int().positive().max(366),
  (value) => Number.isInteger(value) && (value as number) > 0 && (value as number) <= 366,
);
const flag = field(z.boolean(), (value) => typeof value === 'boolean');

/** Exactly one of `workdays` or `until`, beside the fields of `shape`. */
const AMOUNT_KEYS: ReadonlySet<string> = new Set(['workdays', 'until']);
function withAmount<S extends Shape>(shape: S) {
  const amount = z.union([
    z.object({ workdays: workdays.zod, until: z.undefined().optional() }),
    z.object({ until: instant.zod, workdays: z.undefined().optional() }),
  ]);
  const zod = Object.keys(shape).length === 0 ? amount : z.intersection(object(shape).zod, amount);
  const checkedShape = checked(shape);
  return field(zod, (value) => {
    if (!objectAsIs(value, checkedShape, AMOUNT_KEYS)) return false;
    const { workdays: days, until } = value as { workdays?: unknown; until?: unknown };
    return days === undefined
      ? until !== undefined && instant.asIs(until)
      : until === undefined && workdays.asIs(days);
  });
}

const dataFields = {
  dispatched: object({
    unitId: identifier(ID_MAX_LENGTH.unitId),
    unitName: optional(text(200)),
    category: oneOf(CATEGORIES),
    urgency: oneOf(URGENCIES),
    title: optional(text(500)),
    content: optional(text(20000)),
    citizen: optional(object({ name: optional(text(100)), phone: optional(text(40)) })),
    address: optional(text(500)),
    tags: optional(tagList(0)),
    acceptDueAt: optional(instant),
    completeDueAt: optional(instant),
  }),
  accepted: object({ by: optional(text(100)) }),
  return_requested: object({ reason: requiredText(2000), basis: optional(text(2000)) }),
  returned: object({}),
  return_rejected: object({ reason: optional(text(2000)) }),
  extension_requested: withAmount({ reason: requiredText(2000) }),
  extension_approved: withAmount({}),
  extension_rejected: object({ reason: optional(text(2000)) }),
  suspended: object({ reason: requiredText(2000) }),
  resumed: object({}),
  replied: object({ reply: requiredText(20000), by: optional(text(100)) }),
  reply_rejected: object({ reason: requiredText(2000) }),
  callback: object({
    result: oneOf(CALLBACK_RESULTS),
    resolved: optional(flag),
    comment: optional(text(2000)),
  }),
  reopened: object({ reason: requiredText(2000), completeDueAt: optional(instant) }),
  verified: object({
    outcome: oneOf(VERIFICATION_OUTCOMES),
    by: requiredText(100),
    note: optional(text(2000)),
  }),
  closed: object({}),
  excluded: object({ reason: requiredText(2000) }),
  flagged: object({ tags: tagList(1), note: optional(text(2000)) }),
} as const;

const dataSchemas = Object.fromEntries(
  Object.entries(dataFields).map(([type, f]) => [type, f.zod]),
) as { [T in keyof typeof dataFields]: (typeof dataFields)[T]['zod'] };

export type EventType = keyof typeof dataSchemas;
export const EVENT_TYPES = Object.keys(dataSchemas) as EventType[];

const envelopeFields = {
  eventId: identifier(ID_MAX_LENGTH.eventId),
  workOrderId: identifier(ID_MAX_LENGTH.workOrderId),
  occurredAt: instant,
  sequence: optional(
    field(
      z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      (value) => Number.isSafeInteger(value) && (value as number) >= 0,
    ),
  ),
};
const envelope = Object.fromEntries(
  Object.entries(envelopeFields).map(([key, f]) => [key, f.zod]),
) as ZodShape<typeof envelopeFields>;
const ENVELOPE = checked(envelopeFields);
const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['type', 'data']);

const eventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) =>
    z.object({ ...envelope, type: z.literal(type), data: dataSchemas[type] }),
  ) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType> }>[],
  ],
);

/**
 * Whether a JSON value is an event zod would return unchanged: then it is the event as it stands,
 * and zod (which copies it) is not run.
 */
export function isEventAsIs(raw: unknown): boolean {
  if (!objectAsIs(raw, ENVELOPE, ENVELOPE_KEYS)) return false;
  const { type, data } = raw as { type?: unknown; data?: unknown };
  return (
    typeof type === 'string' &&
    Object.hasOwn(dataFields, type) &&
    data !== undefined &&
    dataFields[type as EventType].asIs(data)
  );
}

/** The schema's own verdict on a JSON value: what parseWorkOrderEvent decides by otherwise. */
export function parseEventBySchema(raw: unknown): { success: boolean; data?: unknown } {
  return eventSchema.safeParse(raw);
}

type DataOf<T extends EventType> = z.infer<(typeof dataSchemas)[T]>;

/** An event as the hotline sends it, `occurredAt` still the original RFC 3339 string. */
export type WorkOrderEvent = {
  [T in EventType]: {
    eventId: string;
    type: T;
    workOrderId: string;
    occurredAt: string;
    sequence?: number;
    data: DataOf<T>;
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<WorkOrderEvent, { type: T }>;

export const REJECTION_CODES = [
  'invalid_json',
  'invalid_envelope',
  'unknown_type',
  'invalid_data',
  'key_mismatch',
  'too_large',
  'orphan_event',
  'in_future',
  /** The value is not valid UTF-8: the original bytes go to the dead-letter topic untouched. */
  'invalid_encoding',
  /** A string holds NUL or a lone surrogate: PostgreSQL and most readers cannot store it. */
  'unencodable_text',
  /** An id (eventId, workOrderId, unitId) the API could not address. */
  'invalid_id',
  /** Dated before the dispatch of its order: no stage of the order can have started yet. */
  'before_dispatch',
  /** An eventId already logged with different content: neither is dropped silently. */
  'event_id_conflict',
  /** A `dispatched` to a unit the organisation does not list (UNKNOWN_UNITS=dead_letter). */
  'unknown_unit',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export type ParseResult =
  { ok: true; event: WorkOrderEvent } | { ok: false; code: RejectionCode; message: string };

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ID_FIELDS = new Set(['eventId', 'workOrderId', 'unitId']);

/**
 * The path of the first key or string (in document order) holding text PostgreSQL cannot store,
 * else null. Walked with a stack of its own: a message of a few kilobytes can nest thousands deep.
 */
function findUnencodableText(root: unknown): string | null {
  const stack: { value: unknown; path: string; key: string | null }[] = [
    { value: root, path: '', key: null },
  ];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path, key } = next;
    if (key !== null && isUnencodableText(key)) return path;
    if (typeof value === 'string') {
      if (isUnencodableText(value)) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        stack.push({ value: value[index], path: `${path}[${index}]`, key: null });
      }
      continue;
    }
    const entries = Object.entries(value);
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const [name, item] = entries[index] as [string, unknown];
      stack.push({ value: item, path: path ? `${path}.${name}` : name, key: name });
    }
  }
  return null;
}

/** A path for a message: its start and its end when it is long (a deeply nested value's). */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-80)}`;
}

/**
 * The event's canonical JSON: keys sorted at every level, so two deliveries of the same event
 * compare equal whatever their key order or whitespace, and an event reusing another's id does not.
 */
export function canonicalEventJson(event: unknown): string {
  return JSON.stringify(sortKeys(event));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Largest accepted message value; a bigger one is rejected before JSON.parse. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Parses one message value. `key` is the Kafka key (the contract says it is the workOrderId);
 * a missing key, or one that disagrees with the body, is rejected: the partitioning would be wrong.
 */
export function parseWorkOrderEvent(value: Buffer | null, key: string | null): ParseResult {
  const parsed = parseWorkOrderMessage(value, key);
  return parsed.ok ? { ok: true, event: parsed.event } : parsed;
}

/**
 * A parsed message, and whether its value is the event's JSON exactly (`verbatim`): taken as it
 * stands, no key written twice, its numbers written as JSON.stringify writes them, so that any
 * JSON reader (PostgreSQL's `jsonb`) reads from the bytes received the same event as from the
 * event written again.
 */
export type MessageParseResult =
  | { ok: true; event: WorkOrderEvent; verbatim: boolean }
  | { ok: false; code: RejectionCode; message: string };

/** The members of every object in a JSON value (its keys, at every depth). */
function memberCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += memberCount(item);
    return count;
  }
  for (const key in value) count += 1 + memberCount((value as Record<string, unknown>)[key]);
  return count;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;

/**
 * Whether `bytes`, valid JSON that parsed to `parsed`, is `parsed` written out: every member of the
 * text is in the value (one `:` outside strings per key parsed; a key written twice loses its
 * first value to JSON.parse, which PostgreSQL would still read, fail on or keep), and every
 * number is written as JSON.stringify writes an integer (`1`, not `1.0`, `1e0` or `-0`: `jsonb`
 * keeps a number's written form, and `1.0` is no `bigint`). An event taken as it stands holds
 * only integers. Otherwise the event is written again.
 */
function writtenAsParsed(bytes: Uint8Array, parsed: unknown): boolean {
  // Read as bytes: in UTF-8 every byte of a character beyond ASCII is above 0x7f, so none is
  // taken for a quote, a backslash, a colon or a digit.
  let members = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === COLON) {
      members += 1;
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      // A plain integer: digits only, no leading zero but `0` itself.
      if (c === MINUS) return false;
      let end = i + 1;
      while (
        end < bytes.length &&
        (bytes[end] as number) >= DIGIT_0 &&
        (bytes[end] as number) <= DIGIT_9
      ) {
        end += 1;
      }
      const next = bytes[end];
      if (next === 0x2e || next === 0x65 || next === 0x45) return false; // . e E
      if (c === DIGIT_0 && end - i > 1) return false;
      i = end - 1;
    }
  }
  return members === memberCount(parsed);
}

/** parseWorkOrderEvent, saying whether the value is the event's JSON exactly. */
export function parseWorkOrderMessage(
  value: Buffer | null,
  key: string | null,
): MessageParseResult {
  if (value === null || value.length === 0) {
    return { ok: false, code: 'invalid_json', message: 'empty message value' };
  }
  if (value.length > MAX_EVENT_BYTES) {
    return {
      ok: false,
      code: 'too_large',
      message: `message is ${value.length} bytes, the limit is ${MAX_EVENT_BYTES}`,
    };
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(value);
  } catch {
    return {
      ok: false,
      code: 'invalid_encoding',
      message: 'the value is not valid UTF-8 (contract.md §1: one JSON object, UTF-8)',
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'invalid_json', message: `not JSON: ${(error as Error).message}` };
  }
  // Only a \u escape can put NUL or a lone surrogate into the parsed value: the text is
  // well-formed (strict UTF-8) and JSON allows no raw control character, so without one the walk
  // over every key and string is skipped.
  const unencodable = text.includes('\\u') ? findUnencodableText(raw) : null;
  if (unencodable !== null) {
    return {
      ok: false,
      code: 'unencodable_text',
      message: `${shortPath(unencodable) || '(root)'}: text with NUL or a lone surrogate cannot be stored`,
    };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'invalid_envelope', message: 'the value is not a JSON object' };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !(EVENT_TYPES as string[]).includes(type)) {
    return {
      ok: false,
      code: 'unknown_type',
      message: `unknown event type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}`,
    };
  }
  if (isEventAsIs(raw)) {
    const event = raw as WorkOrderEvent;
    return keyed(event, key, writtenAsParsed(value, event));
  }
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const inData = parsed.error.issues.every((issue) => issue.path[0] === 'data');
    const badId = parsed.error.issues.some(
      (issue) =>
        issue.code === 'invalid_format' && ID_FIELDS.has(String(issue.path[issue.path.length - 1])),
    );
    return {
      ok: false,
      code: badId ? 'invalid_id' : inData ? 'invalid_data' : 'invalid_envelope',
      message: parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; '),
    };
  }
  return keyed(parsed.data as unknown as WorkOrderEvent, key, false);
}

function keyed(event: WorkOrderEvent, key: string | null, verbatim: boolean): MessageParseResult {
  // The key partitions an order's events onto one partition: without it they would scatter.
  if (key !== event.workOrderId) {
    return {
      ok: false,
      code: 'key_mismatch',
      message:
        key === null
          ? `the message has no key; it must be the workOrderId ${JSON.stringify(event.workOrderId)}`
          : `message key ${JSON.stringify(key)} is not the workOrderId ${JSON.stringify(event.workOrderId)}`,
    };
  }
  return { ok: true, event, verbatim };
}
