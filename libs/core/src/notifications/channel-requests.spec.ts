import {
  dingtalkRequest,
  dingtalkSignature,
  feishuRequest,
  feishuSignature,
  judgeAnswer,
  smsRequest,
  standardWebhookSignature,
  webhookRequest,
  wecomRequests,
  WECOM_MARKDOWN_MAX_BYTES,
  WECOM_TEXT_MAX_BYTES,
} from './channel-requests';
import { channelSchema } from './notification-routing';

// Expected values computed independently (Python's hmac/base64 and `openssl dgst -hmac`).
describe('signatures', () => {
  it('signs 钉钉 as Base64(HmacSHA256(secret, timestamp + "\\n" + secret)), the timestamp in ms', () => {
    expect(dingtalkSignature('SECa1b2c3d4e5f6', 1733104800000)).toBe(
      'Qg9qHYTCqtnZFCmgoa0wSOD5w2NtwFBDZj+AMRA15HI=',
    );
  });

  it('signs 飞书 with timestamp + "\\n" + secret as the key over an empty message, in seconds', () => {
    expect(feishuSignature('feishu-secret-xyz', 1733104800)).toBe(
      '0hcM9+NfUxRjlIMCiLgSQ5xBs4glwDIKAPNyzjRkbFA=',
    );
  });

  it('signs Standard Webhooks as v1,Base64(HmacSHA256(base64-decoded whsec key, id.ts.body)): the spec vector', () => {
    expect(
      standardWebhookSignature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

const notice = {
  title: '【超时未办结】工单TJ1',
  markdown: '## 【超时未办结】\n> 工单号：**TJ1**',
  text: '【12345督办】工单TJ1超时未办结',
};

describe('企业微信 group robot', () => {
  it('posts a markdown notice to ?key=, and a text that @-mentions by mobile when people must act', () => {
    const [markdown, text] = wecomRequests(
      'http://robot.local/cgi-bin/webhook/send',
      'k-1',
      notice,
      ['13800000001'],
    );
    expect(markdown!.url).toBe('http://robot.local/cgi-bin/webhook/send?key=k-1');
    expect(JSON.parse(markdown!.body)).toEqual({
      msgtype: 'markdown',
      markdown: { content: notice.markdown },
    });
    expect(JSON.parse(text!.body)).toEqual({
      msgtype: 'text',
      text: { content: notice.text, mentioned_mobile_list: ['13800000001'] },
    });
  });

  it('sends the markdown alone when nobody is to be mentioned', () => {
    expect(wecomRequests('http://robot.local/send', 'k', notice, [])).toHaveLength(1);
  });

  it('cuts a long notice to 4,096 bytes of markdown and 2,048 of text, on character boundaries', () => {
    const long = { ...notice, markdown: '督'.repeat(3000), text: '办'.repeat(3000) };
    const [markdown, text] = wecomRequests('http://robot.local/send', 'k', long, ['138']);
    const content = (JSON.parse(markdown!.body) as { markdown: { content: string } }).markdown
      .content;
    const textContent = (JSON.parse(text!.body) as { text: { content: string } }).text.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(Buffer.byteLength(content)).toBeGreaterThan(WECOM_MARKDOWN_MAX_BYTES - 3 - 40);
    expect(Buffer.byteLength(textContent)).toBeLessThanOrEqual(WECOM_TEXT_MAX_BYTES);
    expect(content).toMatch(/^督+…（内容过长，已截断）$/);
  });
});

describe('钉钉 custom robot', () => {
  it('puts access_token, timestamp and the URL-encoded sign in the query, and at.atMobiles with @mobile in the text', () => {
    const request = dingtalkRequest(
      'http://robot.local/robot/send',
      'tok',
      'SECa1b2c3d4e5f6',
      notice,
      ['13800000002'],
      1733104800000,
    );
    const url = new URL(request.url);
    expect(url.searchParams.get('access_token')).toBe('tok');
    expect(url.searchParams.get('timestamp')).toBe('1733104800000');
    expect(url.searchParams.get('sign')).toBe('Qg9qHYTCqtnZFCmgoa0wSOD5w2NtwFBDZj+AMRA15HI=');
    expect(request.url).toContain('sign=Qg9qHYTCqtnZFCmgoa0wSOD5w2NtwFBDZj%2BAMRA15HI%3D');
    expect(JSON.parse(request.body)).toEqual({
      msgtype: 'markdown',
      markdown: { title: notice.title, text: `${notice.markdown}\n\n@13800000002` },
      at: { atMobiles: ['13800000002'], isAtAll: false },
    });
  });

  it('leaves timestamp and sign out for a robot without 加签', () => {
    const request = dingtalkRequest('http://robot.local/send', 'tok', null, notice, [], 1);
    expect(new URL(request.url).searchParams.has('sign')).toBe(false);
  });
});

describe('飞书 custom bot', () => {
  it('posts to the hook id with timestamp (seconds) and sign in the body, the notice as a post', () => {
    const request = feishuRequest(
      'http://bot.local/open-apis/bot/v2/hook/',
      'hook-1',
      'feishu-secret-xyz',
      notice,
      1733104800,
    );
    expect(request.url).toBe('http://bot.local/open-apis/bot/v2/hook/hook-1');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      timestamp: '1733104800',
      sign: '0hcM9+NfUxRjlIMCiLgSQ5xBs4glwDIKAPNyzjRkbFA=',
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: notice.title,
            content: [
              [{ tag: 'text', text: '【超时未办结】' }],
              [{ tag: 'text', text: '工单号：TJ1' }],
            ],
          },
        },
      },
    });
  });
});

describe('webhook and SMS gateway', () => {
  it('signs the exact body it sends, with webhook-id and webhook-timestamp', () => {
    const request = webhookRequest(
      'http://hook.local/x',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'dlv_7',
      1614265330,
      {
        a: 1,
      },
    );
    expect(request.body).toBe('{"a":1}');
    expect(request.headers['webhook-id']).toBe('dlv_7');
    expect(request.headers['webhook-timestamp']).toBe('1614265330');
    expect(request.headers['webhook-signature']).toBe(
      standardWebhookSignature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'dlv_7',
        1614265330,
        '{"a":1}',
      ),
    );
  });

  const sms = (format: 'json' | 'form') =>
    channelSchema.parse({
      type: 'sms',
      url: 'http://sms.local/send',
      format,
      fields: { mobile: 'phone', content: 'msg' },
      params: { templateId: 'T1' },
      tokenHeader: 'X-Token',
      tokenEnv: 'SMS_TOKEN',
      maxChars: 20,
    });

  it.each(['json', 'form'] as const)(
    'builds the gateway request with its own field names (%s)',
    (format) => {
      const config = sms(format);
      if (config.type !== 'sms') throw new Error('sms expected');
      const request = smsRequest(
        config,
        't0k',
        '13800000003',
        '【12345督办】工单TJ1超时未办结，请立即办理并反馈进展',
      );
      expect(request.headers['X-Token']).toBe('t0k');
      const fields =
        format === 'json'
          ? (JSON.parse(request.body) as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(request.body));
      expect(fields).toEqual({
        templateId: 'T1',
        phone: '13800000003',
        msg: '【12345督办】工单TJ1超时未办结…',
      });
      expect([...fields.msg!]).toHaveLength(20);
    },
  );
});

describe('what an answer means', () => {
  it.each([
    ['wecom', 200, '{"errcode":0,"errmsg":"ok"}', 'sent'],
    ['wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', 'retry'],
    ['dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', 'sent'],
    ['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', 'retry'],
    ['feishu', 200, '{"code":0,"msg":"success"}', 'sent'],
    ['feishu', 200, '{"StatusCode":0}', 'sent'],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail"}', 'retry'],
    ['wecom', 200, 'not json', 'retry'],
    ['webhook', 204, '', 'sent'],
    ['webhook', 429, '', 'retry'],
    ['webhook', 503, '', 'retry'],
    ['webhook', 408, '', 'retry'],
    ['webhook', 404, '', 'refused'],
    ['sms', 200, 'OK', 'sent'],
  ] as const)('%s answering %i %s: %s', (type, status, body, outcome) => {
    expect(judgeAnswer(type, status, body, null).outcome).toBe(outcome);
  });

  it('reads an SMS gateway success field of its own', () => {
    const success = { field: 'code', equals: 0 };
    expect(judgeAnswer('sms', 200, '{"code":0}', null, success).outcome).toBe('sent');
    expect(judgeAnswer('sms', 200, '{"code":"E100"}', null, success)).toMatchObject({
      outcome: 'retry',
      error: 'code E100',
    });
  });

  it('keeps Retry-After (seconds) for the backoff', () => {
    expect(judgeAnswer('webhook', 429, '', '30')).toEqual({
      outcome: 'retry',
      error: 'HTTP 429',
      retryAfterMs: 30_000,
    });
  });
});
