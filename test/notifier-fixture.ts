/**
 * The organisation and notification routing the notifier's end-to-end tests run against: one unit
 * (综合执法大队) whose liaison and head, the 督查室 and the leadership have phones and addresses,
 * every channel pointed at the local endpoints, the secrets in the environment. Written to a
 * temporary file both the worker and the notifier read (ORGANISATION_FILE).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escalationMessage, type EscalationLevel } from '@hotline/core';
import type { RecordedRequest } from '@hotline/testing/channel-endpoints';

export const SECRETS = {
  T_WECOM_KEY: 'wecom-key-0001',
  T_DING_TOKEN: 'ding-token-0001',
  T_DING_SECRET: 'SECding0001secret',
  T_FEISHU_HOOK: 'feishu-hook-0001',
  T_FEISHU_SECRET: 'feishu-secret-0001',
  T_SMS_TOKEN: 'sms-token-0001',
  T_HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

export const PHONES = {
  liaison: '13800000001',
  head: '13800000002',
  director: '13800000003',
  secretary: '13800000004',
};

export const EMAILS = {
  liaison: 'liaison@teda.example',
  head: 'head@teda.example',
  director: 'director@teda.example',
  duty: 'duty@teda.example',
};

export interface RoutingOverrides {
  levels?: Record<string, unknown>;
  channels?: Record<string, Record<string, unknown>>;
  maxAttempts?: number;
  digestTimes?: string[];
}

export function notifierOrganisation(
  endpointsUrl: string,
  overrides: RoutingOverrides = {},
): Record<string, unknown> {
  const channels: Record<string, Record<string, unknown>> = {
    'unit-wecom': { type: 'wecom', url: `${endpointsUrl}/wecom/send`, keyEnv: 'T_WECOM_KEY' },
    'leaders-dingtalk': {
      type: 'dingtalk',
      url: `${endpointsUrl}/dingtalk/robot/send`,
      accessTokenEnv: 'T_DING_TOKEN',
      signSecretEnv: 'T_DING_SECRET',
    },
    'office-feishu': {
      type: 'feishu',
      url: `${endpointsUrl}/feishu/open-apis/bot/v2/hook`,
      hookIdEnv: 'T_FEISHU_HOOK',
      signSecretEnv: 'T_FEISHU_SECRET',
    },
    sms: {
      type: 'sms',
      url: `${endpointsUrl}/sms/send`,
      fields: { mobile: 'mobile', content: 'content' },
      params: { templateId: 'DUBAN' },
      tokenHeader: 'X-Api-Token',
      tokenEnv: 'T_SMS_TOKEN',
      success: { field: 'code', equals: 0 },
    },
    email: { type: 'email', smtpUrlEnv: 'T_SMTP_URL', from: '督查室 <duban@teda.example>' },
    'ops-webhook': { type: 'webhook', url: `${endpointsUrl}/hook/ops`, secretEnv: 'T_HOOK_SECRET' },
  };
  for (const [id, patch] of Object.entries(overrides.channels ?? {})) {
    channels[id] = { ...channels[id], ...patch };
  }
  return {
    id: 'teda-street',
    name: '泰达街道',
    units: [
      {
        id: 'teda-enforcement',
        name: '泰达街综合执法大队',
        liaison: { name: '王磊', role: '联络员', phone: PHONES.liaison, email: EMAILS.liaison },
        head: { name: '赵刚', role: '大队长', phone: PHONES.head, email: EMAILS.head },
      },
    ],
    supervisionOffice: {
      name: '泰达街督查室',
      contacts: [
        {
          id: 'director',
          name: '施文博',
          role: '主任',
          phone: PHONES.director,
          email: EMAILS.director,
        },
        { id: 'duty', name: '张悦', role: '督办专员', email: EMAILS.duty },
      ],
    },
    leadership: {
      name: '泰达街道领导',
      contacts: [
        { id: 'secretary', name: '孔德明', role: '书记', phone: PHONES.secretary },
        { id: 'director', name: '曹立新', role: '主任' },
      ],
    },
    notifications: {
      orderLinkBaseUrl: 'https://duban.teda.example/work-orders',
      channels,
      units: { 'teda-enforcement': { robot: 'unit-wecom' } },
      levels: overrides.levels ?? {
        '1': { channels: ['unit_robot', 'email'] },
        '2': { channels: ['unit_robot', 'office-feishu', 'sms', 'email', 'ops-webhook'] },
        '3': { channels: ['leaders-dingtalk', 'sms', 'ops-webhook'] },
      },
      digestTimes: overrides.digestTimes ?? ['09:00', '14:00'],
      failureAlert: { channel: 'office-feishu' },
      maxAttempts: overrides.maxAttempts ?? 8,
    },
  };
}

/** Writes the organisation file; returns the notifier's environment (settings and secrets). */
export function notifierEnvironment(
  organisation: Record<string, unknown>,
  smtpUrl: string,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'notifier-'));
  const file = join(dir, 'organisation.json');
  writeFileSync(file, JSON.stringify(organisation, null, 2));
  return {
    ORGANISATION_FILE: file,
    ...SECRETS,
    T_SMTP_URL: smtpUrl,
    NOTIFIER_IDLE_MS: '100',
    NOTIFIER_RETRY_BASE_MS: '300',
    NOTIFIER_RETRY_MAX_MS: '2000',
    NOTIFIER_MAX_CHANGE_AGE_HOURS: '0',
    LOG_LEVEL: 'warn',
  };
}

/** The checks a robot or receiver makes, written apart from the notifier's code. */
export function dingtalkSignatureValid(request: RecordedRequest, secret: string): boolean {
  const timestamp = request.query.get('timestamp') ?? '';
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return (
    request.query.get('sign') === expected && Math.abs(Date.now() - Number(timestamp)) < 3_600_000
  );
}

export function feishuSignatureValid(request: RecordedRequest, secret: string): boolean {
  const body = JSON.parse(request.body) as { timestamp: string; sign: string };
  const expected = createHmac('sha256', `${body.timestamp}\n${secret}`).update('').digest('base64');
  return body.sign === expected && Math.abs(Date.now() / 1000 - Number(body.timestamp)) < 3600;
}

export function standardWebhookValid(request: RecordedRequest, secret: string): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${request.body}`)
    .digest('base64');
  const signatures = String(request.headers['webhook-signature']).split(' ');
  return (
    signatures.includes(`v1,${expected}`) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300
  );
}

/**
 * A `complete_overdue` escalation of teda-enforcement, created now (its `changedAt`), an hour past
 * its due instant, as the worker's outbox would publish it.
 */
export function overdueNotice(workOrderId: string, level: EscalationLevel, recipients: string[]) {
  const at = new Date();
  return escalationMessage(
    {
      escalationId: randomUUID(),
      workOrderId,
      unitId: 'teda-enforcement',
      kind: 'complete_overdue',
      status: 'open',
      reason: '超时未办结',
      dueAt: new Date(at.getTime() - 3_600_000),
      firedAt: at,
      version: 1,
      level,
      recipients,
    },
    { change: 'created', at },
    'Asia/Shanghai',
  );
}
