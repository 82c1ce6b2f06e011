import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { loadNotificationSettings } from './load-notifications';
import { loadOrganisation } from './load-organisation';

const ROOT = resolve(__dirname, '../../../..');
const org = loadOrganisation(join(ROOT, 'config/organisation.json'));
const templates = join(ROOT, 'config/notification-templates.json');
const secretFile = (value: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'notify-secret-')), 'secret');
  writeFileSync(path, `${value}\n`);
  return path;
};

describe("the channels' secrets", () => {
  it('turns a channel on when each variable it names is set, as NAME or NAME_FILE, and lists the others with what they lack', () => {
    const settings = loadNotificationSettings(org, templates, {
      NOTIFY_WECOM_OFFICE_KEY: 'office-key',
      NOTIFY_DINGTALK_LEADERS_TOKEN: 'token',
      NOTIFY_DINGTALK_LEADERS_SECRET_FILE: secretFile('SECfromfile'),
    });
    expect([...settings.enabled.keys()].sort()).toEqual(['leaders-dingtalk', 'office-wecom']);
    expect(
      settings.enabled
        .get('leaders-dingtalk')!
        .secrets.get('NOTIFY_DINGTALK_LEADERS_SECRET')!
        .reveal(),
    ).toBe('SECfromfile');
    expect(settings.disabled).toContainEqual({ channel: 'email', missing: ['NOTIFY_SMTP_URL'] });
    expect(settings.disabled).toContainEqual({
      channel: 'office-feishu',
      missing: ['NOTIFY_FEISHU_OFFICE_HOOK', 'NOTIFY_FEISHU_OFFICE_SECRET'],
    });
    // A secret never prints.
    expect(inspect(settings.enabled.get('office-wecom'))).not.toContain('office-key');
    expect(JSON.stringify([...settings.enabled.values()])).not.toContain('office-key');
  });

  it('refuses a variable given both ways, and an unreadable file, naming the setting and never the value', () => {
    expect(() =>
      loadNotificationSettings(org, templates, {
        NOTIFY_SMS_TOKEN: 'sms-token-value',
        NOTIFY_SMS_TOKEN_FILE: secretFile('other'),
        NOTIFY_SMTP_URL_FILE: '/nonexistent/smtp-url',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'NOTIFY_SMS_TOKEN: NOTIFY_SMS_TOKEN and NOTIFY_SMS_TOKEN_FILE are both set: give one of them',
          'NOTIFY_SMTP_URL_FILE: cannot read the file: ENOENT (/nonexistent/smtp-url)',
        ],
      }) as Error,
    );
  });

  it('refuses an organisation without a notifications section', () => {
    expect(() =>
      loadNotificationSettings({ ...org, notifications: undefined }, templates, {}),
    ).toThrow(/no `notifications` section/);
  });
});
