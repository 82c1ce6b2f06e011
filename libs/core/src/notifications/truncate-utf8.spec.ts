import fc from 'fast-check';
import { TRUNCATION_MARK, truncateChars, truncateUtf8, utf8Length } from './truncate-utf8';

describe('cutting a message to a byte limit', () => {
  it.each([
    ['fits: unchanged', 'abc', 3, 'abc'],
    ['ASCII cut', 'abcdef', 4, 'a…'],
    ['a Chinese character (3 bytes) is never split', '督办督办', 7, '督…'],
    ['a four-byte emoji is never split', 'a😀b', 5, 'a…'],
    ['a limit below the mark cuts the mark itself', '督办督办', 2, ''],
  ])('%s', (_what, text, maxBytes, expected) => {
    expect(truncateUtf8(text, maxBytes, '…')).toBe(expected);
  });

  it('marks a cut message in Chinese by default (33 bytes of mark, 9 characters of text in 60)', () => {
    expect(truncateUtf8('督'.repeat(100), 60)).toBe(`${'督'.repeat(9)}${TRUNCATION_MARK}`);
  });

  it('never exceeds the limit, keeps a prefix of whole characters, and keeps what fits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 0, max: 600 }),
        (text, maxBytes) => {
          const cut = truncateUtf8(text, maxBytes);
          expect(utf8Length(cut)).toBeLessThanOrEqual(Math.max(maxBytes, 0));
          // Valid UTF-8: encoding and decoding gives the same string (no lone surrogate).
          expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
          if (utf8Length(text) <= maxBytes) expect(cut).toBe(text);
          else if (utf8Length(TRUNCATION_MARK) <= maxBytes) {
            expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
            expect(text.startsWith(cut.slice(0, cut.length - TRUNCATION_MARK.length))).toBe(true);
          }
        },
      ),
    );
  });

  it('counts characters, not UTF-16 units, for SMS gateways', () => {
    expect(truncateChars('督办😀督办', 4)).toBe('督办😀…');
    expect(truncateChars('督办', 4)).toBe('督办');
  });
});
