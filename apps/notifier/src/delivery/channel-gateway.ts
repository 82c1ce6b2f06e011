/**
 * Sends one message through a channel: builds its requests (libs/core channel-requests, with the
 * channel's secrets and the instant of the attempt), posts them with a timeout, and judges the
 * answer. Email goes over SMTP with nodemailer (one pooled transport per channel).
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  dingtalkRequest,
  feishuRequest,
  judgeAnswer,
  smsRequest,
  webhookRequest,
  wecomRequests,
  type ChannelAnswer,
  type ChannelConfig,
  type DeliveryAddress,
  type HttpRequestSpec,
  type RenderedNotice,
} from '@hotline/core';
import { APP_CONFIG, type AppConfig } from '@hotline/platform';
import { createTransport, type Transporter } from 'nodemailer';
import { NOTIFIER_CONTEXT, type NotifierContext } from '../notifier-context';

export interface OutgoingMessage {
  channel: string;
  address: DeliveryAddress;
  notice: RenderedNotice;
  /** Stable across retries of the same deliveries (the webhook-id). */
  messageId: string;
  /** The webhook's JSON payload. */
  payload: unknown;
  now: Date;
}

/** HTTP requests one message takes on a channel (for the rate limit). */
export function requestsPerMessage(type: string, address: DeliveryAddress): number {
  return type === 'wecom' && address.kind === 'group' && address.mentionMobiles.length > 0 ? 2 : 1;
}

@Injectable()
export class ChannelGateway implements OnApplicationShutdown {
  private readonly transports = new Map<string, Transporter>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NOTIFIER_CONTEXT) private readonly context: NotifierContext,
  ) {}

  onApplicationShutdown(): void {
    for (const transport of this.transports.values()) transport.close();
  }

  channelConfig(channel: string): ChannelConfig | undefined {
    return this.context.settings.enabled.get(channel)?.config;
  }

  async send(message: OutgoingMessage): Promise<ChannelAnswer> {
    const enabled = this.context.settings.enabled.get(message.channel);
    if (enabled === undefined) {
      return { outcome: 'refused', error: `channel ${message.channel} is off (secrets not set)` };
    }
    const { config, secrets } = enabled;
    const secret = (name: string | undefined): string | null =>
      name === undefined ? null : (secrets.get(name)?.reveal() ?? null);
    const mentions = message.address.kind === 'group' ? message.address.mentionMobiles : [];
    switch (config.type) {
      case 'wecom':
        return this.postAll(
          config,
          wecomRequests(config.url, secret(config.keyEnv)!, message.notice, mentions),
        );
      case 'dingtalk':
        return this.postAll(config, [
          dingtalkRequest(
            config.url,
            secret(config.accessTokenEnv)!,
            secret(config.signSecretEnv),
            message.notice,
            mentions,
            message.now.getTime(),
          ),
        ]);
      case 'feishu':
        return this.postAll(config, [
          feishuRequest(
            config.url,
            secret(config.hookIdEnv)!,
            secret(config.signSecretEnv),
            message.notice,
            Math.floor(message.now.getTime() / 1000),
          ),
        ]);
      case 'webhook':
        return this.postAll(config, [
          webhookRequest(
            config.url,
            secret(config.secretEnv)!,
            message.messageId,
            Math.floor(message.now.getTime() / 1000),
            message.payload,
          ),
        ]);
      case 'sms':
        if (message.address.kind !== 'mobile') {
          return { outcome: 'refused', error: 'an SMS needs a mobile number' };
        }
        return this.postAll(config, [
          smsRequest(config, secret(config.tokenEnv), message.address.mobile, message.notice.text),
        ]);
      case 'email':
        if (message.address.kind !== 'email') {
          return { outcome: 'refused', error: 'an email needs an address' };
        }
        return this.mail(
          message.channel,
          config,
          secret(config.smtpUrlEnv)!,
          message,
          message.address,
        );
    }
  }

  /** Posts the requests in order; the first one not sent decides. */
  private async postAll(
    config: ChannelConfig,
    requests: HttpRequestSpec[],
  ): Promise<ChannelAnswer> {
    for (const request of requests) {
      const answer = await this.post(config, request);
      if (answer.outcome !== 'sent') return answer;
    }
    return { outcome: 'sent' };
  }

  private async post(config: ChannelConfig, request: HttpRequestSpec): Promise<ChannelAnswer> {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.config.notifier.httpTimeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const what = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.name);
      // The URL can carry the robot's key: only the host is named.
      return {
        outcome: 'retry',
        error: `${what} (${new URL(request.url).host})`,
        retryAfterMs: null,
      };
    }
    const text = await response.text().catch(() => '');
    return judgeAnswer(
      config.type,
      response.status,
      text,
      response.headers.get('retry-after'),
      config.type === 'sms' ? config.success : undefined,
    );
  }

  private async mail(
    channel: string,
    config: Extract<ChannelConfig, { type: 'email' }>,
    smtpUrl: string,
    message: OutgoingMessage,
    to: Extract<DeliveryAddress, { kind: 'email' }>,
  ): Promise<ChannelAnswer> {
    let transport = this.transports.get(channel);
    if (!transport) {
      transport = createTransport({
        url: smtpUrl,
        connectionTimeout: this.config.notifier.httpTimeoutMs,
        greetingTimeout: this.config.notifier.httpTimeoutMs,
        socketTimeout: this.config.notifier.httpTimeoutMs,
      });
      this.transports.set(channel, transport);
    }
    try {
      await transport.sendMail({
        from: config.from,
        to: { name: to.name, address: to.email },
        subject: message.notice.title,
        text: message.notice.markdown,
        headers: { 'X-Hotline-Message-Id': message.messageId },
      });
      return { outcome: 'sent' };
    } catch (error) {
      const e = error as Error & { responseCode?: number; code?: string };
      const detail = e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? e.name);
      // 5xx: the server refuses this message for good (no such mailbox); anything else may pass later.
      return e.responseCode !== undefined && e.responseCode >= 500
        ? { outcome: 'refused', error: detail }
        : { outcome: 'retry', error: detail, retryAfterMs: null };
    }
  }
}
