import { readFileSync } from 'fs';
import { join } from 'path';
import {
  parseOrganisation,
  recipientContactsFor,
  recipientsFor,
  type Organisation,
} from './organisation';

const root = join(__dirname, '../../../..');
const raw = JSON.parse(readFileSync(join(root, 'config/organisation.json'), 'utf8')) as Record<
  string,
  unknown
>;

function load(json: unknown = raw): Organisation {
  const parsed = parseOrganisation(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const org = load();

describe('the TEDA Street organisation file', () => {
  it('lists the brigade, the two groups, the service centre and the six communities', () => {
    expect(org.units.map((unit) => `${unit.id} ${unit.name}`)).toEqual([
      'teda-enforcement 泰达街综合执法大队',
      'teda-property-group 泰达街物业服务集团',
      'teda-utility-group 泰达街公用事业集团',
      'teda-service-center 泰达街便民服务中心',
      'teda-community-1 第一社区',
      'teda-community-2 第二社区',
      'teda-community-3 第三社区',
      'teda-community-4 第四社区',
      'teda-community-5 第五社区',
      'teda-community-6 第六社区',
    ]);
    expect(org.supervisionOffice.name).toBe('泰达街督查室');
  });
});

describe('recipientsFor', () => {
  it.each`
    rule                                                                 | unitId                | level | recipients
    ${'level 1 is the unit liaison'}                                     | ${'teda-enforcement'} | ${1}  | ${['teda-enforcement:liaison']}
    ${'level 2 is the unit head and the supervision office'}             | ${'teda-community-3'} | ${2}  | ${['teda-community-3:head', 'supervision-office:director', 'supervision-office:duty']}
    ${'level 3 is the street leadership, whatever the unit'}             | ${'teda-enforcement'} | ${3}  | ${['leadership:secretary', 'leadership:director', 'leadership:deputy-hotline']}
    ${'an unknown unit at level 1 falls back to the supervision office'} | ${'somewhere-else'}   | ${1}  | ${['supervision-office:director', 'supervision-office:duty']}
    ${'an unknown unit at level 2 falls back to the supervision office'} | ${'somewhere-else'}   | ${2}  | ${['supervision-office:director', 'supervision-office:duty']}
    ${'an unknown unit at level 3 still reaches the leadership'}         | ${'somewhere-else'}   | ${3}  | ${['leadership:secretary', 'leadership:director', 'leadership:deputy-hotline']}
  `('$rule', ({ unitId, level, recipients }) => {
    expect(recipientsFor(org, unitId as string, level as 1 | 2 | 3)).toEqual(recipients);
  });

  it('says who each recipient is and for which body', () => {
    expect(recipientContactsFor(org, 'teda-enforcement', 2)[0]).toEqual({
      id: 'teda-enforcement:head',
      post: 'head',
      name: '赵刚',
      role: '执法大队大队长',
      phone: null,
      email: null,
      organisation: '泰达街综合执法大队',
    });
  });
});

describe('parseOrganisation', () => {
  it('lists every problem at once', () => {
    const broken = {
      ...raw,
      units: [
        {
          id: 'Bad Id',
          name: '',
          liaison: { name: 'x' },
          head: { name: 'y', role: 'z', phone: 'abc' },
        },
        {
          id: 'teda-enforcement',
          name: '甲',
          liaison: { name: 'a', role: 'b' },
          head: { name: 'c', role: 'd' },
        },
      ],
      leadership: { name: '领导', contacts: [] },
      extra: true,
    };
    const parsed = parseOrganisation(broken);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^units\[0\]\.id: /),
        expect.stringMatching(/^units\[0\]\.name: /),
        expect.stringMatching(/^units\[0\]\.liaison\.role: /),
        expect.stringMatching(/^units\[0\]\.head\.phone: /),
        expect.stringMatching(/^leadership\.contacts: /),
        expect.stringMatching(/^\(root\): .*extra/),
      ]),
    );
    expect(parsed.errors).toHaveLength(6);
  });

  it.each`
    rule                                           | json                                                                                                                                   | error
    ${'a unit listed twice'}                       | ${{ ...raw, units: [...(raw.units as unknown[]), (raw.units as unknown[])[0]] }}                                                       | ${'units: unit id teda-enforcement is listed more than once'}
    ${'a supervision-office contact listed twice'} | ${{ ...raw, supervisionOffice: { name: '督查室', contacts: [{ id: 'a', name: 'x', role: 'y' }, { id: 'a', name: 'z', role: 'w' }] } }} | ${'supervisionOffice.contacts: contact id a is listed more than once'}
  `('rejects $rule', ({ json, error }) => {
    expect(parseOrganisation(json)).toEqual({ ok: false, errors: [error] });
  });
});
