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

/** RFC 3339 with an explicit offset; impossible dates (02-30, 25:00) are rejected. */
const instant = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().max(max);
const requiredText = (max: number) => z.string().trim().min(1).max(max);
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
  z
    .string()
    .min(1)
    .max(max)
    .regex(ID_PATTERN, 'letters, digits and . _ : - only, starting with a letter or digit');
const workdays = z.number().int().positive().max(366);

/** Exactly one of `workdays` or `until`. */
const extensionAmount = z.union([
  z.object({ workdays, until: z.undefined().optional() }),
  z.object({ until: instant, workdays: z.undefined().optional() }),
]);

const dataSchemas = {
  dispatched: z.object({
    unitId: identifier(ID_MAX_LENGTH.unitId),
    unitName: text(200).optional(),
    category: z.enum(CATEGORIES),
    urgency: z.enum(URGENCIES),
    title: text(500).optional(),
    content: text(20000).optional(),
    citizen: z.object({ name: text(100).optional(), phone: text(40).optional() }).optional(),
    address: text(500).optional(),
    tags: z.array(z.enum(TAGS)).max(TAGS.length).optional(),
    acceptDueAt: instant.optional(),
    completeDueAt: instant.optional(),
  }),
  accepted: z.object({ by: text(100).optional() }),
  return_requested: z.object({ reason: requiredText(2000), basis: text(2000).optional() }),
  returned: z.object({}),
  return_rejected: z.object({ reason: text(2000).optional() }),
  extension_requested: z.intersection(z.object({ reason: requiredText(2000) }), extensionAmount),
  extension_approved: extensionAmount,
  extension_rejected: z.object({ reason: text(2000).optional() }),
  suspended: z.object({ reason: requiredText(2000) }),
  resumed: z.object({}),
  replied: z.object({ reply: requiredText(20000), by: text(100).optional() }),
  reply_rejected: z.object({ reason: requiredText(2000) }),
  callback: z.object({
    result: z.enum(CALLBACK_RESULTS),
    resolved: z.boolean().optional(),
    comment: text(2000).optional(),
  }),
  reopened: z.object({ reason: requiredText(2000), completeDueAt: instant.optional() }),
  verified: z.object({
    outcome: z.enum(VERIFICATION_OUTCOMES),
    by: requiredText(100),
    note: text(2000).optional(),
  }),
  closed: z.object({}),
  excluded: z.object({ reason: requiredText(2000) }),
  flagged: z.object({
    tags: z.array(z.enum(TAGS)).min(1).max(TAGS.length),
    note: text(2000).optional(),
  }),
} as const;

export type EventType = keyof typeof dataSchemas;
export const EVENT_TYPES = Object.keys(dataSchemas) as EventType[];

const envelope = {
  eventId: identifier(ID_MAX_LENGTH.eventId),
  workOrderId: identifier(ID_MAX_LENGTH.workOrderId),
  occurredAt: instant,
  sequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
};

const eventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) =>
    z.object({ ...envelope, type: z.literal(type), data: dataSchemas[type] }),
  ) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType> }>[],
  ],
);

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

/** The path of the first key or string holding text PostgreSQL cannot store, else null. */
function findUnencodableText(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isUnencodableText(value) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnencodableText(item, `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (isUnencodableText(key)) return at;
    const found = findUnencodableText(item, at);
    if (found !== null) return found;
  }
  return null;
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
  const unencodable = text.includes('\\u') ? findUnencodableText(raw, '') : null;
  if (unencodable !== null) {
    return {
      ok: false,
      code: 'unencodable_text',
      message: `${unencodable || '(root)'}: text with NUL or a lone surrogate cannot be stored`,
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
  const event = parsed.data as unknown as WorkOrderEvent;
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
  return { ok: true, event };
}
