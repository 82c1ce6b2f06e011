import { readFileSync } from 'fs';
import { join } from 'path';
import { parseCalendar, parseCalendarDefinition } from './parse-calendar';

const dataPath = join(__dirname, '../../../../config/calendars/cn-2023-2026.json');
const data = JSON.parse(readFileSync(dataPath, 'utf8')) as { days: unknown[] };

describe('parseCalendar', () => {
  it('accepts the State Council data for 2023–2026 (142 dated entries)', () => {
    const parsed = parseCalendar(data);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(data.days).toHaveLength(142);
    expect(parsed.value.timeZone).toBe('Asia/Shanghai');
    expect(parsed.value.coverage).toEqual({ fromOn: '2022-12-31', toOn: '2026-12-31' });
  });

  it('lists every problem at once', () => {
    const parsed = parseCalendarDefinition({
      timeZone: 'Mars/Olympus',
      coverage: { from: '2024-01-01', to: '2024-12-31' },
      days: [
        { date: '2024-02-30', kind: 'holiday', name: '春节' },
        { date: '2024-02-10', kind: 'day_off', name: '春节' },
        { date: '2024-02-11', kind: 'holiday', name: '' },
        { date: '2024-02-19', kind: 'workday', name: '春节' },
        { date: '2025-01-01', kind: 'holiday', name: '元旦' },
        { date: '2024-02-12', kind: 'holiday', name: '春节' },
        { date: '2024-02-12', kind: 'holiday', name: '春节' },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'timeZone: must be an IANA time zone such as Asia/Shanghai',
      'days[0].date: must be a real YYYY-MM-DD date',
      'days[1].kind: Invalid option: expected one of "holiday"|"workday"',
      'days[2].name: Too small: expected string to have >=1 characters',
      'days[3]: 2024-02-19 is a Monday–Friday; a make-up workday (调休上班) must be a weekend day',
      'days[4].date: 2025-01-01 is outside the coverage',
      'days[6].date: 2024-02-12 is already listed at days[5]',
    ]);
  });

  it.each([
    ['not an object', 42, '(root): Invalid input: expected object, received number'],
    [
      'a reversed coverage',
      { timeZone: 'Asia/Shanghai', coverage: { from: '2025-01-01', to: '2024-01-01' }, days: [] },
      'coverage: from 2025-01-01 is after to 2024-01-01',
    ],
    [
      'a missing coverage',
      { timeZone: 'Asia/Shanghai', days: [] },
      'coverage: Invalid input: expected object, received undefined',
    ],
  ])('rejects %s', (_, json, error) => {
    const parsed = parseCalendar(json);
    expect(parsed).toEqual({ ok: false, errors: expect.arrayContaining([error]) as string[] });
  });
});
