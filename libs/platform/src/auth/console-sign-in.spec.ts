import { redirectUriProblem } from './console-sign-in';

describe("the console's redirect URI, judged against the request's Host", () => {
  it.each([
    ['the console on the same host and port', 'http://127.0.0.1:3000/console/', '127.0.0.1:3000'],
    [
      'https behind a proxy that keeps the Host',
      'https://hotline.teda.gov.cn/console/',
      'hotline.teda.gov.cn',
    ],
    [
      'a page under /console/',
      'https://hotline.teda.gov.cn/console/index.html',
      'hotline.teda.gov.cn',
    ],
    ['a Host in capitals', 'https://hotline.teda.gov.cn/console/', 'Hotline.TEDA.gov.cn'],
    [
      'the default port written out in the Host',
      'https://hotline.teda.gov.cn/console/',
      'hotline.teda.gov.cn:443',
    ],
  ])('accepts %s', (_what, uri, host) => {
    expect(redirectUriProblem(uri, host)).toBeNull();
  });

  it.each([
    [
      'another host',
      'https://evil.example/console/',
      'hotline.teda.gov.cn',
      "must be this API's console",
    ],
    [
      'another port',
      'http://127.0.0.1:3001/console/',
      '127.0.0.1:3000',
      "must be this API's console",
    ],
    [
      'a path outside the console',
      'http://127.0.0.1:3000/session',
      '127.0.0.1:3000',
      'under /console/',
    ],
    [
      '/console without its slash',
      'http://127.0.0.1:3000/console',
      '127.0.0.1:3000',
      'under /console/',
    ],
    [
      'a way out of /console/',
      'http://127.0.0.1:3000/console/../health',
      '127.0.0.1:3000',
      'under /console/',
    ],
    [
      'credentials before the host',
      'http://a:b@127.0.0.1:3000/console/',
      '127.0.0.1:3000',
      "must be this API's console",
    ],
    [
      'a fragment',
      'http://127.0.0.1:3000/console/#/inbox',
      '127.0.0.1:3000',
      "must be this API's console",
    ],
    ['a script address', 'javascript:alert(1)', '127.0.0.1:3000', 'must be http(s)'],
    ['a relative address', '/console/', '127.0.0.1:3000', 'not an absolute URL'],
    ['a request without a Host', 'http://127.0.0.1:3000/console/', '', 'names no host'],
  ])('refuses %s', (_what, uri, host, problem) => {
    expect(redirectUriProblem(uri, host)).toContain(problem);
  });
});
