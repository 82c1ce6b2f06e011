import { readFileSync } from 'fs';
import { join } from 'path';
import { parseHolidayNotice, type HolidayNotice } from './parse-holiday-notice';

const fixture = (year: number) =>
  readFileSync(join(__dirname, `fixtures/notice-${year}.txt`), 'utf8');
function parsed(text: string): HolidayNotice {
  const result = parseHolidayNotice(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}

describe('parseHolidayNotice: the State Council notice as published', () => {
  it.each`
    year    | number                      | issuedOn        | items | holidays | workdays
    ${2023} | ${'国办发明电〔2022〕16号'} | ${'2022-12-08'} | ${6}  | ${27}    | ${7}
    ${2024} | ${'国办发明电〔2023〕7号'}  | ${'2023-10-25'} | ${7}  | ${28}    | ${8}
    ${2025} | ${'国办发明电〔2024〕12号'} | ${'2024-11-12'} | ${6}  | ${28}    | ${5}
    ${2026} | ${null}                     | ${'2025-11-04'} | ${7}  | ${33}    | ${6}
  `(
    'reads the $year notice: $items holidays, $holidays days off, $workdays make-up workdays',
    ({ year, number, issuedOn, items, holidays, workdays }) => {
      const notice = parsed(fixture(year as number));
      expect(notice).toMatchObject({
        year,
        title: `国务院办公厅关于${year}年部分节假日安排的通知`,
        number,
        issuedOn,
      });
      expect(notice.items).toHaveLength(items as number);
      expect(notice.days.filter((d) => d.kind === 'holiday')).toHaveLength(holidays as number);
      expect(notice.days.filter((d) => d.kind === 'workday')).toHaveLength(workdays as number);
    },
  );

  it.each`
    year    | line                                                                                                                                                     | firstOff        | lastOff         | workdays
    ${2026} | ${'二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。'}                        | ${'2026-02-15'} | ${'2026-02-23'} | ${['2026-02-14', '2026-02-28']}
    ${2023} | ${'一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。'}                                                                                             | ${'2022-12-31'} | ${'2023-01-02'} | ${[]}
    ${2025} | ${'五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。'}                                                                                            | ${'2025-05-31'} | ${'2025-06-02'} | ${[]}
    ${2025} | ${'一、元旦：1月1日（周三）放假1天，不调休。'}                                                                                                           | ${'2025-01-01'} | ${'2025-01-01'} | ${[]}
    ${2024} | ${'二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。'} | ${'2024-02-10'} | ${'2024-02-17'} | ${['2024-02-04', '2024-02-18']}
  `(
    'reads "$line": off $firstOff…$lastOff, at work $workdays',
    ({ year, line, firstOff, lastOff, workdays }) => {
      const notice = parsed(`国务院办公厅关于${year}年部分节假日安排的通知\n${line as string}`);
      const [item] = notice.items;
      expect(item?.holidays[0]).toBe(firstOff);
      expect(item?.holidays.at(-1)).toBe(lastOff);
      expect(item?.workdays).toEqual(workdays);
    },
  );

  it.each`
    what                                       | line                                                      | error
    ${'a weekday that is not the date’s'}      | ${'二、春节：2月15日（周一）至23日放假调休，共9天。'}     | ${'2026-02-15 is not the weekday the notice gives it'}
    ${'a count that does not match the range'} | ${'二、春节：2月15日至23日放假调休，共8天。'}             | ${'the notice says 8 days, the range has 9'}
    ${'a make-up workday on a weekday'}        | ${'四、劳动节：5月1日至5日放假调休，共5天。5月8日上班。'} | ${'make-up workday 2026-05-08 is not a weekend day'}
    ${'a line without days off'}               | ${'三、清明节：另行通知。'}                               | ${'no days off found'}
  `('refuses $what, saying why', ({ line, error }) => {
    const result = parseHolidayNotice(
      `国务院办公厅关于2026年部分节假日安排的通知\n${line as string}`,
    );
    expect(result).toEqual({
      ok: false,
      errors: expect.arrayContaining([expect.stringContaining(error as string)]) as string[],
    });
  });

  it('refuses a text without the title', () => {
    expect(parseHolidayNotice('一、元旦：1月1日放假。')).toEqual({
      ok: false,
      errors: [expect.stringContaining('no title')],
    });
  });

  it('refuses a day named under two holidays', () => {
    const result = parseHolidayNotice(
      '国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日至3日放假。\n二、春节：1月3日放假。',
    );
    expect(result).toEqual({
      ok: false,
      errors: ['春节: 2026-01-03 is already named under 元旦'],
    });
  });
});
