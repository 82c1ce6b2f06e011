/**
 * The HTTP requests of each channel, built and signed here (pure: the instant and the secrets are
 * passed in), and what an answer means. The formats are the vendors' published ones:
 *
 * - 企业微信 group robot: POST `…/webhook/send?key=KEY`, `{"msgtype":"markdown","markdown":{"content"}}`
 *   (content ≤ 4,096 UTF-8 bytes) and, to @-mention people, `{"msgtype":"text","text":{"content",
 *   "mentioned_mobile_list"}}` (≤ 2,048 bytes); answer `{"errcode":0,"errmsg":"ok"}`.
 * - 钉钉 custom robot: POST `…/robot/send?access_token=T&timestamp=MS&sign=S`, where S is
 *   urlEncode(Base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret))), the
 *   timestamp in milliseconds; `{"msgtype":"markdown","markdown":{"title","text"},"at":{"atMobiles"}}`
 *   (a mention shows only when the text also carries `@mobile`); answer `{"errcode":0}`.
 * - 飞书 custom bot: POST `…/bot/v2/hook/HOOK_ID`, `{"timestamp","sign","msg_type":"post",…}`,
 *   where sign = Base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), the timestamp in
 *   seconds (the key and message are the other way round from 钉钉); answer `{"code":0}`.
 * - Standard Webhooks: headers `webhook-id` (the same on every retry of a delivery, so receivers
 *   can drop repeats), `webhook-timestamp` (seconds) and `webhook-signature` = `v1,` +
 *   Base64(HmacSHA256(key = base64-decoded secret after `whsec_`, id + "." + timestamp + "." + body)).
 * - SMS gateway: the street's own; URL, field names, fixed fields and token header configured.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from './notification-routing';
import type { RenderedNotice } from './notification-templates';
import { truncateChars, truncateUtf8 } from './truncate-utf8';

export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_TEXT_MAX_BYTES = 2048;
/** 钉钉 documents no exact markdown limit; about 20,000 bytes are accepted. Kept well below. */
export const DINGTALK_MARKDOWN_MAX_BYTES = 15_000;
/** 飞书 refuses request bodies over 20 KB. */
export const FEISHU_TEXT_MAX_BYTES = 15_000;

export interface HttpRequestSpec {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** Base64(HmacSHA256(secret, timestampMs + "\n" + secret)), before URL encoding. */
export function dingtalkSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Base64(HmacSHA256(key = timestampSeconds + "\n" + secret, message = "")). */
export function feishuSignature(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** `v1,<base64>` over `id.timestamp.body`; the key is the bytes after `whsec_`, base64-decoded. */
export function standardWebhookSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

export function wecomRequests(
  url: string,
  key: string,
  notice: RenderedNotice,
  mentionMobiles: readonly string[],
): HttpRequestSpec[] {
  const target = withQuery(url, { key });
  const requests: HttpRequestSpec[] = [
    {
      url: target,
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        msgtype: 'markdown',
        markdown: { content: truncateUtf8(notice.markdown, WECOM_MARKDOWN_MAX_BYTES) },
      }),
    },
  ];
  // Markdown cannot @-mention by mobile: a short text message does, for the people who must act.
  if (mentionMobiles.length > 0) {
    requests.push({
      url: target,
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        msgtype: 'text',
        text: {
          content: truncateUtf8(notice.text, WECOM_TEXT_MAX_BYTES),
          mentioned_mobile_list: [...mentionMobiles],
        },
      }),
    });
  }
  return requests;
}

export function dingtalkRequest(
  url: string,
  accessToken: string,
  signSecret: string | null,
  notice: RenderedNotice,
  mentionMobiles: readonly string[],
  timestampMs: number,
): HttpRequestSpec {
  const params: Record<string, string> = { access_token: accessToken };
  if (signSecret !== null) {
    params.timestamp = String(timestampMs);
    params.sign = dingtalkSignature(signSecret, timestampMs); // URLSearchParams encodes it
  }
  const mentions = mentionMobiles.map((mobile) => `@${mobile}`).join(' ');
  const suffix = mentions === '' ? '' : `\n\n${mentions}`;
  const text =
    truncateUtf8(notice.markdown, DINGTALK_MARKDOWN_MAX_BYTES - Buffer.byteLength(suffix)) + suffix;
  return {
    url: withQuery(url, params),
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({
      msgtype: 'markdown',
      markdown: { title: notice.title, text },
      at: { atMobiles: [...mentionMobiles], isAtAll: false },
    }),
  };
}

/** Markdown to the plain lines of a 飞书 `post` (its own rich-text format). */
function plainLines(markdown: string): string[] {
  return markdown.split('\n').map((line) =>
    line
      .replace(/^#+\s*/, '')
      .replace(/^>\s*/, '')
      .replace(/\*\*(.*?)\*\*/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 $2'),
  );
}

export function feishuRequest(
  url: string,
  hookId: string,
  signSecret: string | null,
  notice: RenderedNotice,
  timestampSeconds: number,
): HttpRequestSpec {
  const lines = plainLines(truncateUtf8(notice.markdown, FEISHU_TEXT_MAX_BYTES));
  const body: Record<string, unknown> = {
    msg_type: 'post',
    content: {
      post: {
        zh_cn: {
          title: notice.title,
          content: lines.map((line) => [{ tag: 'text', text: line }]),
        },
      },
    },
  };
  if (signSecret !== null) {
    body.timestamp = String(timestampSeconds);
    body.sign = feishuSignature(signSecret, timestampSeconds);
  }
  return {
    url: `${url.replace(/\/+$/, '')}/${encodeURIComponent(hookId)}`,
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  };
}

export function webhookRequest(
  url: string,
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  payload: unknown,
): HttpRequestSpec {
  const body = JSON.stringify(payload);
  return {
    url,
    method: 'POST',
    headers: {
      ...JSON_HEADERS,
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': standardWebhookSignature(secret, webhookId, timestampSeconds, body),
    },
    body,
  };
}

export function smsRequest(
  config: Extract<ChannelConfig, { type: 'sms' }>,
  token: string | null,
  mobile: string,
  text: string,
): HttpRequestSpec {
  const fields: Record<string, string> = {
    ...config.params,
    [config.fields.mobile]: mobile,
    [config.fields.content]: truncateChars(text, config.maxChars),
  };
  const headers: Record<string, string> =
    config.format === 'json'
      ? { ...JSON_HEADERS }
      : { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (config.tokenHeader !== undefined && token !== null) headers[config.tokenHeader] = token;
  return {
    url: config.url,
    method: 'POST',
    headers,
    body:
      config.format === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  };
}

export type ChannelAnswer =
  | { outcome: 'sent' }
  | { outcome: 'retry'; error: string; retryAfterMs: number | null }
  | { outcome: 'refused'; error: string };

/**
 * What an HTTP answer means. 2xx with the vendor's success code: sent. 408, 429, 5xx, and a robot
 * error code (rate limit 45009/130101/11232, a busy system): worth another try later. Any other
 * 4xx: the request itself is wrong (a removed robot, a bad token); trying again cannot help.
 */
export function judgeAnswer(
  type: ChannelConfig['type'],
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  success?: { field: string; equals: string | number },
): ChannelAnswer {
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  if (status === 408 || status === 429 || status >= 500) {
    return { outcome: 'retry', error: `HTTP ${status}`, retryAfterMs };
  }
  if (status < 200 || status >= 300) return { outcome: 'refused', error: `HTTP ${status}` };
  const code = answerCode(type, bodyText, success?.field);
  if (code === undefined) return { outcome: 'sent' };
  const expected = success?.equals ?? 0;
  if (code === null) {
    return { outcome: 'retry', error: 'the answer carries no result code', retryAfterMs };
  }
  if (String(code) === String(expected)) return { outcome: 'sent' };
  return { outcome: 'retry', error: `${codeField(type, success?.field)} ${code}`, retryAfterMs };
}

function codeField(type: ChannelConfig['type'], smsField: string | undefined): string {
  switch (type) {
    case 'wecom':
    case 'dingtalk':
      return 'errcode';
    case 'feishu':
      return 'code';
    case 'sms':
      return smsField ?? 'code';
    case 'webhook':
    case 'email':
      return 'code';
  }
}

/** undefined: the channel has no result code (any 2xx is success); null: it should, but has none. */
function answerCode(
  type: ChannelConfig['type'],
  bodyText: string,
  smsField: string | undefined,
): string | number | null | undefined {
  if (type === 'webhook' || type === 'email' || (type === 'sms' && smsField === undefined)) {
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  // 飞书's older answers say StatusCode instead of code.
  const value =
    type === 'feishu' ? (record.code ?? record.StatusCode) : record[codeField(type, smsField)];
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}
