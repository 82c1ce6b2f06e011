/**
 * Personal numbers inside free text (a title, an order's content, an address, a reply): citizens
 * write their mobile, landline, 身份证号 or bank card into what they tell the hotline. One rule for
 * every reader: the API and its exports mask them for roles that may not reveal, and the logger
 * masks them in every line it writes (domain.md §6).
 */
import { maskPhone } from './mask-personal-data';

export const PERSONAL_NUMBER_KINDS = ['id_card', 'bank_card', 'mobile', 'landline'] as const;
export type PersonalNumberKind = (typeof PERSONAL_NUMBER_KINDS)[number];

/** Digits in a number may be grouped by a space or a hyphen (`138 1234 5678`, `6222-0212-…`). */
const SEP = '[ -]?';
const digits = (n: number) => Array.from({ length: n }, () => '\\d').join(SEP);

/**
 * In the order they are tried (an earlier match is not matched again): an 18-character resident
 * identity card number (GB 11643: 17 digits and a check digit or X); a bank card of 16–19 digits
 * (ISO/IEC 7812, grouped or not); a mainland mobile number (11 digits from 13x–19x, optionally
 * +86); a landline with its area code (0 + 2–3 digits, then 7–8 digits, an extension allowed), and
 * a bare 7–8 digit number right after 电话/座机/手机/联系/Tel (without the cue, 8 digits are as often
 * an amount or an order number). A number glued to more digits, a letter, a hyphen or a decimal
 * point is not one of these (timestamps, offsets, ids stay as they are).
 */
const PATTERNS: readonly { kind: PersonalNumberKind; pattern: RegExp }[] = [
  {
    kind: 'id_card',
    pattern: new RegExp(`(?<![\\w.-])\\d{6}${SEP}\\d{8}${SEP}\\d{3}[\\dXx](?![\\w.-])`, 'g'),
  },
  {
    kind: 'bank_card',
    pattern: new RegExp(
      `(?<![\\w.-])(?:\\d{4}${SEP}){3}\\d{4}(?:${SEP}?\\d{1,3})?(?![\\w.-])`,
      'g',
    ),
  },
  {
    kind: 'mobile',
    pattern: new RegExp(
      `(?<![\\w.-])(?:\\+?86${SEP})?1[3-9]\\d${SEP}${digits(4)}${SEP}${digits(4)}(?![\\w.-])`,
      'g',
    ),
  },
  {
    kind: 'landline',
    pattern: /(?<![\w.-])(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{7,8}(?:-\d{1,6})?(?![\w.-])/g,
  },
  {
    kind: 'landline',
    pattern: /(?<=(?:电话|座机|手机|联系方式|联系|tel|Tel|TEL)[:：]?\s?)\d{7,8}(?![\w.-])/g,
  },
];

/** `120101199003071234` → `120***********1234`: the first three and the last four stay. */
function maskLongNumber(digitsOnly: string): string {
  return `${digitsOnly.slice(0, 3)}${'*'.repeat(digitsOnly.length - 7)}${digitsOnly.slice(-4)}`;
}

/** How a found number is shown masked: phones as the citizen's phone field is, cards 3 + 4. */
export function maskPersonalNumber(kind: PersonalNumberKind, found: string): string {
  const digitsOnly = found.replace(/^\+?86[ -]?(?=1)/, '').replace(/[^\dXx]/g, '');
  switch (kind) {
    case 'mobile':
    case 'landline':
      return maskPhone(digitsOnly);
    case 'id_card':
    case 'bank_card':
      return maskLongNumber(digitsOnly);
  }
}

/**
 * Replaces every personal number in `text`; `replace` says with what (default: the masked form,
 * `联系电话13812345678` → `联系电话138****5678`).
 */
export function maskPersonalNumbers(
  text: string,
  replace: (kind: PersonalNumberKind, found: string) => string = maskPersonalNumber,
): string {
  return PATTERNS.reduce(
    (masked, { kind, pattern }) => masked.replace(pattern, (found) => replace(kind, found)),
    text,
  );
}

/** Free text as a role without reveal rights sees it; `null` stays `null`. */
export function maskFreeText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? maskPersonalNumbers(text) : text) as T;
}
