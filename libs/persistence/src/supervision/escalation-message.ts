import { createHash } from 'node:crypto';
import type { EscalationMessage } from '@hotline/core';
import type { QueryRunner } from 'typeorm';
import { jsonList, textArray } from '../array-params';

/**
 * A stable escalation id: a name-based UUID (SHA-1, version 5 layout) of the escalation's natural
 * key, so a replay of the same events yields the same id and consumers can de-duplicate.
 */
export function escalationIdOf(escalationKey: string): string {
  const hex = createHash('sha1').update(`hotline-escalation:${escalationKey}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Queues messages (built by the core's escalationMessage) in the caller's transaction; the relay
 * publishes them after the commit, in this order.
 */
export async function enqueueOutbox(
  runner: QueryRunner,
  topic: string,
  messages: readonly EscalationMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await runner.query(
    `INSERT INTO outbox (topic, message_key, payload)
     SELECT $1, t.k, t.m
       FROM ROWS FROM (unnest($2::text[]), json_array_elements($3::json)) WITH ORDINALITY AS t(k, m, n)
      ORDER BY n`,
    [topic, textArray(messages.map((m) => m.workOrderId)), jsonList(messages)],
  );
}
