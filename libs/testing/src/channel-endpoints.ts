/**
 * Local stand-ins for the notification channels: one HTTP server playing the robots (企业微信 at
 * /wecom, 钉钉 at /dingtalk, 飞书 at /feishu), the SMS gateway (/sms) and webhook receivers (/hook),
 * recording every request and answering as the real ones do unless a test scripts otherwise; and
 * an SMTP server (the `smtp-server` package) recording every mail.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface ScriptedAnswer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer after this long (a slow or hanging channel). */
  delayMs?: number;
}

/** `n`: how many requests this path prefix has seen, this one included (1 for the first). */
export type Script = (request: RecordedRequest, n: number) => ScriptedAnswer | undefined;

export interface ChannelEndpoints {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Requests whose path starts with `prefix`. */
  at(prefix: string): RecordedRequest[];
  /** Scripts the answers of a path prefix (undefined from the script: the default answer). */
  script(prefix: string, script: Script): void;
  close(): Promise<void>;
}

function defaultAnswer(path: string): ScriptedAnswer {
  if (path.startsWith('/wecom') || path.startsWith('/dingtalk')) {
    return { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
  }
  if (path.startsWith('/feishu'))
    return { status: 200, body: '{"code":0,"msg":"success","data":{}}' };
  if (path.startsWith('/sms')) return { status: 200, body: '{"code":0,"msg":"ok"}' };
  return { status: 204, body: '' };
}

export async function startChannelEndpoints(): Promise<ChannelEndpoints> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, Script>();
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const recorded: RecordedRequest = {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      let answer = defaultAnswer(recorded.path);
      for (const [prefix, script] of scripts) {
        if (!recorded.path.startsWith(prefix)) continue;
        const n = (seen.get(prefix) ?? 0) + 1;
        seen.set(prefix, n);
        answer = { ...answer, ...(script(recorded, n) ?? {}) };
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, {
          'content-type': 'application/json',
          ...(answer.headers ?? {}),
        });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    at: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    script: (prefix, script) => {
      scripts.set(prefix, script);
      seen.set(prefix, 0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RecordedMail {
  from: string;
  to: string[];
  raw: string;
  /** The decoded Subject header. */
  subject: string;
  header(name: string): string | undefined;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>` (no TLS, no authentication: a test server). */
  url: string;
  mails: RecordedMail[];
  close(): Promise<void>;
}

/** `=?UTF-8?B?…?=` and `=?UTF-8?Q?…?=` words of a header, decoded. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    );
}

function headersOf(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of unfolded.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  return headers;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: RecordedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = headersOf(raw);
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: decodeHeader(headers.get('subject') ?? ''),
          header: (name) => headers.get(name.toLowerCase()),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
