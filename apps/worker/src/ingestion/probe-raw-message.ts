/**
 * What a message claims to be, read from its bytes without decoding its JSON: enough to recognise
 * a re-delivery of an event already logged byte for byte (findLoggedVerbatim). A wrong guess is
 * harmless: a message is taken for a duplicate only when an event logged under the guessed id
 * has the same order and the same value digest, i.e. was these very bytes. Ids the contract
 * refuses are not guessed at all: no logged event has them, and text PostgreSQL cannot hold (a
 * NUL) would fail the whole batch's look-up.
 */
import { hash } from 'node:crypto';
import { ID_MAX_LENGTH, isIdentifier, MAX_EVENT_BYTES } from '@hotline/core';
import type { RawProbe } from '@hotline/persistence';

const EVENT_ID_KEY = Buffer.from('"eventId"');
const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;

/** SHA-256 (hex) of a message value: what the event log records beside the event. */
export function rawDigest(value: Buffer): string {
  return hash('sha256', value, 'hex');
}

/** The probe of one message, or null when its bytes cannot be an event the log could hold. */
export function probeRawMessage(value: Buffer | null, key: Buffer | null): RawProbe | null {
  if (value === null || key === null || value.length === 0 || value.length > MAX_EVENT_BYTES) {
    return null;
  }
  const eventId = guessEventId(value);
  if (eventId === null || !isIdentifier(eventId, 'eventId')) return null;
  const workOrderId = key.toString('utf8');
  if (!isIdentifier(workOrderId, 'workOrderId')) return null;
  return { eventId, workOrderId, rawSha256: rawDigest(value) };
}

/** The string after the first `"eventId"` key, when it is plain (no escapes); else null. */
function guessEventId(value: Buffer): string | null {
  let at = value.indexOf(EVENT_ID_KEY);
  if (at < 0) return null;
  at = skipSpace(value, at + EVENT_ID_KEY.length);
  if (value[at] !== COLON) return null;
  at = skipSpace(value, at + 1);
  if (value[at] !== QUOTE) return null;
  const start = at + 1;
  const end = value.indexOf(QUOTE, start);
  if (end < 0 || end - start > ID_MAX_LENGTH.eventId) return null;
  if (value.subarray(start, end).includes(BACKSLASH)) return null;
  return value.toString('utf8', start, end);
}

function skipSpace(value: Buffer, from: number): number {
  let at = from;
  while (at < value.length) {
    const byte = value[at];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) break;
    at += 1;
  }
  return at;
}
