import { loggedQuery } from './access-log';

describe('the access log’s query: known parameters with their values, others by name only', () => {
  it.each([
    ['/work-orders', undefined],
    ['/work-orders?', {}],
    ['/work-orders?status=open&page=2', { status: 'open', page: '2' }],
    ['/statistics/summary?from=2024-01-01&to=2024-12-31', { from: '2024-01-01', to: '2024-12-31' }],
    ['/x?access_token=eyJhbGciOi.x.y', { access_token: '[redacted]' }],
    ['/x?token=abc&id_token=def', { token: '[redacted]', id_token: '[redacted]' }],
    ['/x?phone=13812345678&name=%E5%BC%A0%E4%B8%89', { phone: '[redacted]', name: '[redacted]' }],
    ['/x?unitId=%E5%BC%A0', { unitId: '张' }],
    ['/x?month=%FF', { month: '\ufffd' }],
  ])('%s → %j', (url, expected) => {
    expect(loggedQuery(url)).toEqual(expected);
  });

  it('cuts long values and stops after 20 parameters', () => {
    expect(loggedQuery(`/x?status=${'a'.repeat(500)}`)).toEqual({ status: 'a'.repeat(64) });
    const many = Array.from({ length: 50 }, (_, i) => `p${i}=v`).join('&');
    expect(Object.keys(loggedQuery(`/x?${many}`) ?? {})).toHaveLength(20);
  });
});
