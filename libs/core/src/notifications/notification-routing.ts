/**
 * Who is told about an escalation, through which channel (the `notifications` section of
 * `config/organisation.json`). The recipients of a level come from the organisation
 * (`recipientContactsFor`: 1 the unit's liaison, 2 its head and the 督查室, 3 the leadership); this
 * file adds the channels: the street's group robots (企业微信, 钉钉, 飞书), signed webhooks, email
 * and the SMS gateway, each level's list of them, each unit's own group robot, quiet hours, the
 * level-1 digest and the channel that reports a delivery that keeps failing.
 *
 * Secrets never live in the file: a channel names the environment variable that holds its key
 * (`keyEnv: "NOTIFY_WECOM_ENFORCEMENT_KEY"`), which may also be given as `NAME_FILE`.
 */
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'use lower-case letters, digits, . _ -' })
  .max(64);
const envName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'an environment variable name (A-Z, 0-9, _)' })
  .max(100);
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/, { error: 'an http:// or https:// URL' })
  .max(500);
const clockTime = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { error: 'HH:mm, 00:00 to 23:59' });

/** Robots allow 20 messages a minute per webhook (企业微信 and 钉钉 both document it). */
export const DEFAULT_ROBOT_RATE_PER_MINUTE = 20;
const ratePerMinute = z.number().int().positive().max(6000);

const wecomChannel = z.strictObject({
  type: z.literal('wecom'),
  /** The robot's send URL; the key is added as `?key=`. */
  url: httpUrl.default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
  keyEnv: envName,
  ratePerMinute: ratePerMinute.default(DEFAULT_ROBOT_RATE_PER_MINUTE),
});
const dingtalkChannel = z.strictObject({
  type: z.literal('dingtalk'),
  url: httpUrl.default('https://oapi.dingtalk.com/robot/send'),
  accessTokenEnv: envName,
  /** The robot's 加签 secret (`SEC…`); unset: the robot checks keywords or addresses instead. */
  signSecretEnv: envName.optional(),
  ratePerMinute: ratePerMinute.default(DEFAULT_ROBOT_RATE_PER_MINUTE),
});
const feishuChannel = z.strictObject({
  type: z.literal('feishu'),
  /** The hook URL without its last segment (the hook id, a secret). */
  url: httpUrl.default('https://open.feishu.cn/open-apis/bot/v2/hook'),
  hookIdEnv: envName,
  signSecretEnv: envName.optional(),
  ratePerMinute: ratePerMinute.default(DEFAULT_ROBOT_RATE_PER_MINUTE),
});
const webhookChannel = z.strictObject({
  type: z.literal('webhook'),
  url: httpUrl,
  /** Standard Webhooks signing secret (`whsec_` + base64). */
  secretEnv: envName,
  ratePerMinute: ratePerMinute.default(600),
});
const emailChannel = z.strictObject({
  type: z.literal('email'),
  /** `smtp://user:password@host:587` or `smtps://…:465`: the whole URL is the secret. */
  smtpUrlEnv: envName,
  from: z.string().trim().min(3).max(200),
  ratePerMinute: ratePerMinute.default(60),
});
const smsChannel = z.strictObject({
  type: z.literal('sms'),
  /** The street's 短信平台 endpoint. */
  url: httpUrl,
  format: z.enum(['json', 'form']).default('json'),
  /** The request's field names for the mobile number and the text. */
  fields: z.strictObject({ mobile: z.string().min(1).max(64), content: z.string().min(1).max(64) }),
  /** Fixed fields sent with every request (template id, signature name, account). */
  params: z.record(z.string().min(1).max(64), z.string().max(200)).default({}),
  /** A header carrying the gateway's token, and the variable holding it. */
  tokenHeader: z.string().min(1).max(64).optional(),
  tokenEnv: envName.optional(),
  /** A JSON answer's field and the value meaning success; unset: any 2xx is success. */
  success: z
    .strictObject({ field: z.string().min(1).max(64), equals: z.union([z.string(), z.number()]) })
    .optional(),
  /** Most gateways cap one message; longer texts are cut on a character boundary. */
  maxChars: z.number().int().min(20).max(1000).default(300),
  ratePerMinute: ratePerMinute.default(60),
});

export const channelSchema = z.discriminatedUnion('type', [
  wecomChannel,
  dingtalkChannel,
  feishuChannel,
  webhookChannel,
  emailChannel,
  smsChannel,
]);
export type ChannelConfig = z.infer<typeof channelSchema>;
export type ChannelType = ChannelConfig['type'];
export const CHANNEL_TYPES = ['wecom', 'dingtalk', 'feishu', 'webhook', 'email', 'sms'] as const;
/** Group channels post once per change into a group (mentioning people); personal ones once per person. */
export const GROUP_CHANNEL_TYPES: readonly ChannelType[] = [
  'wecom',
  'dingtalk',
  'feishu',
  'webhook',
];

/** `unit_robot`: the escalated unit's own group robot (`units.<id>.robot`), when it has one. */
export const UNIT_ROBOT = 'unit_robot';

const quietHoursSchema = z.strictObject({ from: clockTime, to: clockTime });
const levelRouteSchema = z.strictObject({
  channels: z.array(identifier).min(1),
  /** Nothing is sent in [from, to) local time (across midnight when from > to); it waits for `to`. */
  quietHours: quietHoursSchema.optional(),
  /** Level-1 changes wait for the next digest time (not for life-safety or utility orders). */
  digest: z.boolean().default(false),
});

export const notificationRoutingSchema = z.strictObject({
  /** The link in every message: this base + the work order id (the console's order page). */
  orderLinkBaseUrl: httpUrl,
  channels: z.record(identifier, channelSchema),
  units: z.record(identifier, z.strictObject({ robot: identifier })).default({}),
  levels: z.strictObject({ '1': levelRouteSchema, '2': levelRouteSchema, '3': levelRouteSchema }),
  /** Local times on working days at which level-1 digests go out. */
  digestTimes: z.array(clockTime).min(1).default(['09:00', '14:00']),
  /** A delivery given up on is reported to the 督查室 through this channel. */
  failureAlert: z.strictObject({ channel: identifier }).optional(),
  /** Attempts before a delivery is given up (`dead`). */
  maxAttempts: z.number().int().min(1).max(50).default(8),
});
export type NotificationRouting = z.infer<typeof notificationRoutingSchema>;
export type LevelRoute = z.infer<typeof levelRouteSchema>;
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** The references a schema cannot check: channels, units and level 3 without quiet hours. */
export function checkNotificationRouting(
  routing: NotificationRouting,
  unitIds: readonly string[],
): string[] {
  const errors: string[] = [];
  const known = (id: string) => Object.hasOwn(routing.channels, id);
  for (const level of ['1', '2', '3'] as const) {
    for (const [i, id] of routing.levels[level].channels.entries()) {
      if (id !== UNIT_ROBOT && !known(id)) {
        errors.push(`notifications.levels.${level}.channels[${i}]: no channel ${id}`);
      }
    }
  }
  // domain.md §4: 街道领导 are told of a 督办单 whatever the hour.
  if (routing.levels['3'].quietHours !== undefined) {
    errors.push('notifications.levels.3.quietHours: level 3 has no quiet hours');
  }
  for (const [unitId, { robot }] of Object.entries(routing.units)) {
    if (!unitIds.includes(unitId)) errors.push(`notifications.units.${unitId}: no such unit`);
    const channel = routing.channels[robot];
    if (channel === undefined)
      errors.push(`notifications.units.${unitId}.robot: no channel ${robot}`);
    else if (!GROUP_CHANNEL_TYPES.includes(channel.type)) {
      errors.push(`notifications.units.${unitId}.robot: ${robot} is not a group robot`);
    }
  }
  if (routing.failureAlert !== undefined && !known(routing.failureAlert.channel)) {
    errors.push(`notifications.failureAlert.channel: no channel ${routing.failureAlert.channel}`);
  }
  return errors;
}

/** Every environment variable the channels name (the secrets to resolve). */
export function channelSecretNames(routing: NotificationRouting): string[] {
  const names = new Set<string>();
  for (const channel of Object.values(routing.channels)) {
    for (const [field, value] of Object.entries(channel)) {
      if (field.endsWith('Env') && typeof value === 'string') names.add(value);
    }
  }
  return [...names].sort();
}
