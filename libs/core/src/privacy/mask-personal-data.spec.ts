import { maskName, maskPhone } from './mask-personal-data';

describe('masking personal data', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['022-23456789', '022****6789'],
    ['23456789', '******89'],
    ['2345678', '*****78'],
    ['12345', '***45'],
    ['1234', '****'],
    ['12', '**'],
  ])('shows phone %s as %s', (phone, masked) => expect(maskPhone(phone)).toBe(masked));

  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['李', '李*'],
    ['', ''],
  ])('shows name %s as %s', (name, masked) => expect(maskName(name)).toBe(masked));
});
