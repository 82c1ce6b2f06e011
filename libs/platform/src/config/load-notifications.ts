import { readFileSync } from 'node:fs';
import {
  channelSecretNames,
  parseNoticeTemplates,
  type ChannelConfig,
  type NoticeTemplates,
  type NotificationRouting,
  type Organisation,
} from '@hotline/core';
import { ConfigError } from './app-config';
import { redactSecrets, resolveSecretFiles, Secret } from './secret';

export interface NotificationSettings {
  routing: NotificationRouting;
  templates: NoticeTemplates;
  /** Channels whose every secret is set: the notifier sends through these. */
  enabled: ReadonlyMap<string, { config: ChannelConfig; secrets: ReadonlyMap<string, Secret> }>;
  /** Channels left off, with the variables they lack (shown by /health, never their values). */
  disabled: { channel: string; missing: string[] }[];
}

/** Reads and validates the notices' templates file; every problem at once. */
export function loadNoticeTemplates(path: string): NoticeTemplates {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigError([`notification templates ${path}: ${(error as Error).message}`]);
  }
  const parsed = parseNoticeTemplates(json);
  if (!parsed.ok) {
    throw new ConfigError(parsed.errors.map((e) => `notification templates ${path}: ${e}`));
  }
  return parsed.value;
}

/**
 * The organisation's `notifications` section with each channel's secrets from the environment:
 * every variable a channel names may be given as `NAME` or `NAME_FILE` (secret.ts), and a channel
 * with a variable unset is off rather than failing at its first message. A variable set both
 * ways, or a file that cannot be read, stops the notifier naming the setting, never the value.
 */
export function loadNotificationSettings(
  org: Organisation,
  templatesPath: string,
  env: Record<string, string | undefined> = process.env,
): NotificationSettings {
  const routing = org.notifications;
  if (routing === undefined) {
    throw new ConfigError([
      'organisation: no `notifications` section (channels and routing of the notices)',
    ]);
  }
  const templates = loadNoticeTemplates(templatesPath);
  const resolved = resolveSecretFiles(env, channelSecretNames(routing));
  if (resolved.problems.length > 0) {
    throw new ConfigError(
      resolved.problems.map(({ setting, message }) =>
        redactSecrets(`${setting}: ${message}`, resolved.values),
      ),
    );
  }
  const enabled = new Map<
    string,
    { config: ChannelConfig; secrets: ReadonlyMap<string, Secret> }
  >();
  const disabled: NotificationSettings['disabled'] = [];
  for (const [id, config] of Object.entries(routing.channels)) {
    const names = channelSecretNames({ ...routing, channels: { [id]: config } });
    const missing = names.filter((name) => (resolved.env[name] ?? '') === '');
    if (missing.length > 0) {
      disabled.push({ channel: id, missing });
      continue;
    }
    enabled.set(id, {
      config,
      secrets: new Map(names.map((name) => [name, new Secret(resolved.env[name]!)])),
    });
  }
  return { routing, templates, enabled, disabled };
}
