import { isUnencodableText } from '@hotline/core';
import { z } from 'zod';

export const MAX_NOTE_LENGTH = 2000;

const note = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NOTE_LENGTH, `at most ${MAX_NOTE_LENGTH} characters`)
  .refine((text) => !isUnencodableText(text), 'must not hold NUL or half a surrogate pair');

/** `POST /escalations/{id}/acknowledge`: an optional note (签收意见). */
export const acknowledgeBody = z.object({ note: note.optional() }).strict();
export type AcknowledgeBody = z.output<typeof acknowledgeBody>;

/** `POST /escalations/{id}/resolve`: the note is the supervision result (督办结果), required. */
export const resolveBody = z.object({ note }).strict();
export type ResolveBody = z.output<typeof resolveBody>;
