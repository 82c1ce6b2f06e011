import { maskFreeText, maskPersonalNumbers } from './mask-free-text';

describe('masking personal numbers inside free text', () => {
  it.each([
    ['联系电话13812345678，请回电', '联系电话138****5678，请回电'],
    ['手机 138 1234 5678', '手机 138****5678'],
    ['+86 13812345678', '138****5678'],
    ['座机022-23456789转8', '座机022****6789转8'],
    ['(022)23456789', '022****6789'],
    ['电话：23456789', '电话：******89'],
    ['身份证号12010119900307123X', '身份证号120***********123X'],
    ['身份证 120101199003071234。', '身份证 120***********1234。'],
    ['银行卡6222021234567890123', '银行卡622************0123'],
    ['卡号 6222 0212 3456 7890', '卡号 622*********7890'],
  ])('masks %s as %s', (text, masked) => expect(maskFreeText(text)).toBe(masked));

  it.each([
    ['泰达街道第三大街12号院3门501', 'a house number'],
    ['2024-03-04 10:00 受理', 'a date and a time'],
    ['金额 20240304 元', 'a bare 8-digit number without a phone cue'],
    ['工单 TJ-2024-13812345678', 'digits glued to an id'],
    ['{"time":1764655783123,"v":2.13812345678}', 'a timestamp and a decimal'],
    ['13800000000123', 'a 14-digit number that is no phone'],
  ])('leaves %s alone (%s)', (text) => expect(maskFreeText(text)).toBe(text));

  it('keeps null and undefined as they are', () => {
    expect(maskFreeText(null)).toBeNull();
    expect(maskFreeText(undefined)).toBeUndefined();
  });

  it('hands every number found to the replacement with its kind', () => {
    const found: string[] = [];
    const out = maskPersonalNumbers('13812345678 或 12010119900307123X 或 022-23456789', (kind) => {
      found.push(kind);
      return '[x]';
    });
    expect(out).toBe('[x] 或 [x] 或 [x]');
    expect(found).toEqual(['id_card', 'mobile', 'landline']);
  });
});
