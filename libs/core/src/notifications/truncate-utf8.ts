/**
 * Robot limits are in UTF-8 bytes (企业微信: markdown 4,096, text 2,048), and a Chinese character
 * is three of them. A message over the limit is refused whole, so it is cut here: on a character
 * boundary (never half a character, never half a surrogate pair), with a marker saying so.
 */

export const TRUNCATION_MARK = '…（内容过长，已截断）';

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * `text` itself when it fits in `maxBytes`; otherwise its longest prefix of whole code points that
 * fits together with `mark`. The result never exceeds `maxBytes` (with `mark` alone cut the same
 * way when even it does not fit).
 */
export function truncateUtf8(text: string, maxBytes: number, mark = TRUNCATION_MARK): string {
  if (utf8Length(text) <= maxBytes) return text;
  const markBytes = utf8Length(mark);
  if (markBytes > maxBytes) return truncateUtf8(mark, maxBytes, '');
  const budget = maxBytes - markBytes;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const bytes = utf8Length(char);
    if (used + bytes > budget) break;
    used += bytes;
    end += char.length;
  }
  return text.slice(0, end) + mark;
}

/** The same in characters (code points), for SMS gateways that count characters. */
export function truncateChars(text: string, maxChars: number, mark = '…'): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  const markChars = [...mark].length;
  return chars.slice(0, Math.max(0, maxChars - markChars)).join('') + mark.slice(0, maxChars);
}
