// A surrogate half without its partner (what JSON's \uD800 escapes can produce).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * NUL or a lone surrogate: text PostgreSQL (and most readers) cannot store. Events holding it are
 * refused at ingestion; a note holding it is refused by the API.
 */
export function isUnencodableText(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}
