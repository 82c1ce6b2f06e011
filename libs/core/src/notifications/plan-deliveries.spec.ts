import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { parseOrganisation, type Organisation } from '../supervision/organisation';
import { contactsById, noticeChangeOf, planDeliveries } from './plan-deliveries';

const notifications = {
  orderLinkBaseUrl: 'https://duban.example/work-orders',
  channels: {
    'office-wecom': { type: 'wecom', keyEnv: 'K1' },
    'unit-a-wecom': { type: 'wecom', keyEnv: 'K2' },
    leaders: { type: 'dingtalk', accessTokenEnv: 'K3', signSecretEnv: 'K4' },
    sms: { type: 'sms', url: 'http://sms.local', fields: { mobile: 'm', content: 'c' } },
    email: { type: 'email', smtpUrlEnv: 'K5', from: 'duban@example' },
  },
  units: { 'unit-a': { robot: 'unit-a-wecom' } },
  levels: {
    '1': { channels: ['unit_robot'], digest: true },
    '2': { channels: ['unit_robot', 'office-wecom', 'sms', 'email'] },
    '3': { channels: ['leaders', 'sms'] },
  },
};

function organisation(extra: Record<string, unknown> = {}): Organisation {
  const parsed = parseOrganisation({
    id: 'street',
    name: '街道',
    units: [
      {
        id: 'unit-a',
        name: '甲单位',
        liaison: { name: '联络员甲', role: '联络员', phone: '138 0000 0001' },
        head: {
          name: '负责人甲',
          role: '负责人',
          phone: '13800000002',
          email: 'head-a@example.gov.cn',
        },
      },
      {
        id: 'unit-b',
        name: '乙单位',
        liaison: { name: '联络员乙', role: '联络员' },
        head: { name: '负责人乙', role: '负责人' },
      },
    ],
    supervisionOffice: {
      name: '督查室',
      contacts: [
        {
          id: 'director',
          name: '主任',
          role: '主任',
          phone: '13800000003',
          email: 'office@example.gov.cn',
        },
      ],
    },
    leadership: {
      name: '街道领导',
      contacts: [{ id: 'secretary', name: '书记', role: '书记', phone: '13800000004' }],
    },
    notifications,
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}

const org = organisation();
const routing = org.notifications!;
const contacts = contactsById(org);
const ids = (unitId: string, level: 1 | 2 | 3) =>
  [...contacts.values()]
    .filter((c) =>
      level === 1
        ? c.id === `${unitId}:liaison`
        : level === 2
          ? c.id === `${unitId}:head` || c.post === 'supervision_office'
          : c.post === 'leadership',
    )
    .map((c) => c.id);

describe('who is told, through which channel', () => {
  it("level 1: the unit's own group robot, @-mentioning its liaison", () => {
    const plan = planDeliveries(routing, contacts, {
      unitId: 'unit-a',
      level: 1,
      recipients: ids('unit-a', 1),
    });
    expect(plan.deliveries).toEqual([
      {
        recipient: 'group:unit-a-wecom',
        channel: 'unit-a-wecom',
        channelType: 'wecom',
        address: { kind: 'group', mentionMobiles: ['13800000001'] },
      },
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('level 2: unit robot and the office robot @-mentioning head and 督查室, SMS and email to each who has the address', () => {
    const plan = planDeliveries(routing, contacts, {
      unitId: 'unit-a',
      level: 2,
      recipients: ids('unit-a', 2),
    });
    expect(plan.deliveries.map((d) => [d.channel, d.recipient, d.address])).toEqual([
      [
        'unit-a-wecom',
        'group:unit-a-wecom',
        { kind: 'group', mentionMobiles: ['13800000002', '13800000003'] },
      ],
      [
        'office-wecom',
        'group:office-wecom',
        { kind: 'group', mentionMobiles: ['13800000002', '13800000003'] },
      ],
      ['sms', 'unit-a:head', { kind: 'mobile', mobile: '13800000002' }],
      ['sms', 'supervision-office:director', { kind: 'mobile', mobile: '13800000003' }],
      ['email', 'unit-a:head', { kind: 'email', email: 'head-a@example.gov.cn', name: '负责人甲' }],
      [
        'email',
        'supervision-office:director',
        { kind: 'email', email: 'office@example.gov.cn', name: '主任' },
      ],
    ]);
  });

  it('level 3: the leadership robot and SMS; a unit without a robot is reported, not dropped silently', () => {
    const plan = planDeliveries(routing, contacts, {
      unitId: 'unit-b',
      level: 3,
      recipients: ids('unit-b', 3),
    });
    expect(plan.deliveries.map((d) => `${d.channel}→${d.recipient}`)).toEqual([
      'leaders→group:leaders',
      'sms→leadership:secretary',
    ]);
    const level2 = planDeliveries(routing, contacts, {
      unitId: 'unit-b',
      level: 2,
      recipients: ids('unit-b', 2),
    });
    expect(level2.skipped).toEqual([
      'unit_robot: unit unit-b has no group robot',
      'unit-b:head: no sms address for sms',
      'unit-b:head: no email address for email',
    ]);
  });

  it('reports a recipient the organisation file does not know', () => {
    const plan = planDeliveries(routing, contacts, {
      unitId: 'unit-a',
      level: 1,
      recipients: ['ghost:liaison'],
    });
    expect(plan.skipped).toContain('ghost:liaison: not in the organisation file');
  });

  it('each (recipient, channel) once: the idempotency key never repeats within a change', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('unit-a', 'unit-b', 'unit-x'),
        fc.constantFrom(1 as const, 2 as const, 3 as const),
        (unitId, level) => {
          const plan = planDeliveries(routing, contacts, {
            unitId,
            level,
            recipients: ids(unitId, level),
          });
          const keys = plan.deliveries.map((d) => `${d.recipient}|${d.channel}`);
          expect(new Set(keys).size).toBe(keys.length);
        },
      ),
    );
  });

  it('tells of fired, advanced, resolved and withdrawn; not of an acknowledgement', () => {
    expect(
      ['created', 'advanced', 'acknowledged', 'resolved', 'withdrawn'].map((c) =>
        noticeChangeOf(c as never),
      ),
    ).toEqual(['fired', 'advanced', null, 'resolved', 'withdrawn']);
  });
});

describe('the routing in the organisation file', () => {
  it('refuses unknown channels and units, a unit robot that is no group robot, and quiet hours at level 3 — all at once', () => {
    const parsed = parseOrganisation({
      ...JSON.parse(JSON.stringify({ ...organisation(), notifications: undefined })),
      notifications: {
        ...notifications,
        units: { 'unit-a': { robot: 'sms' }, 'unit-z': { robot: 'unit-a-wecom' } },
        levels: {
          ...notifications.levels,
          '2': { channels: ['unit_robot', 'fax'] },
          '3': { channels: ['leaders'], quietHours: { from: '22:00', to: '07:00' } },
        },
        failureAlert: { channel: 'pigeon' },
      },
    });
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      'notifications.levels.2.channels[1]: no channel fax',
      'notifications.levels.3.quietHours: level 3 has no quiet hours',
      'notifications.units.unit-a.robot: sms is not a group robot',
      'notifications.units.unit-z: no such unit',
      'notifications.failureAlert.channel: no channel pigeon',
    ]);
  });

  it("the street's own file parses, every level routed", () => {
    const file = JSON.parse(
      readFileSync(join(__dirname, '../../../../config/organisation.json'), 'utf8'),
    ) as unknown;
    const parsed = parseOrganisation(file);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(Object.keys(parsed.value.notifications!.levels)).toEqual(['1', '2', '3']);
  });
});
