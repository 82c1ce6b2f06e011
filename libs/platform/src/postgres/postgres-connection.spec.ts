import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { createCertificateAuthority, pem } from '@hotline/testing/tls-certificates';
import { Secret } from '../config/secret';
import { explainPostgresFailure } from './explain-postgres-failure';
import { postgresEndpoint, type PostgresTls } from './postgres-connection';

const dir = mkdtempSync(join(tmpdir(), 'hotline-pg-connection-'));
const ca = createCertificateAuthority(dir, 'pg-ca');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const URL_ =
  'postgres://hotline:in%40url@db.example:6432/hotline?application_name=w&options=-c%20x';

describe('postgresEndpoint', () => {
  it('takes the URL apart into the fields pg receives, its other parameters kept', () => {
    const { ssl, ...endpoint } = postgresEndpoint(URL_);
    expect(endpoint).toEqual({
      host: 'db.example',
      port: 6432,
      user: 'hotline',
      password: 'in@url',
      database: 'hotline',
      parameters: { application_name: 'w', options: '-c x' },
    });
    expect(ssl).toBe(false);
  });

  it('prefers the password given apart and reads an IPv6 host', () => {
    const endpoint = postgresEndpoint('postgres://hotline@[::1]:5432/db', {
      password: new Secret('from-a-file'),
    });
    expect([endpoint.host, endpoint.password]).toEqual(['::1', 'from-a-file']);
  });

  // libpq's meanings, which node-postgres 8 does not keep (it verifies everything for `require`).
  // prettier-ignore
  it.each<[string, PostgresTls, (ssl: ConnectionOptions) => void]>([
    ['require: encrypted, nothing verified', { mode: 'require' }, (ssl) => expect(ssl.rejectUnauthorized).toBe(false)],
    ['require with a CA: the chain verified, not the host', { mode: 'require', ca: 'CA' }, (ssl) => {
      expect([ssl.rejectUnauthorized, ssl.ca, ssl.checkServerIdentity?.('any', {} as never)]).toEqual([true, 'CA', undefined]);
    }],
    ['verify-ca: the chain verified, not the host', { mode: 'verify-ca', ca: 'CA' }, (ssl) => {
      expect([ssl.rejectUnauthorized, ssl.ca, ssl.checkServerIdentity?.('any', {} as never)]).toEqual([true, 'CA', undefined]);
    }],
    ['verify-full: the chain and the host', { mode: 'verify-full', ca: 'CA' }, (ssl) => {
      expect([ssl.rejectUnauthorized, ssl.ca]).toEqual([true, 'CA']);
      expect(ssl.checkServerIdentity?.('db.example', { subject: { CN: 'other' }, subjectaltname: 'DNS:other' } as never)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    }],
  ])('%s', (_, tls, check) => {
    const { ssl } = postgresEndpoint(URL_, { tls });
    expect(ssl).not.toBe(false);
    check(ssl as ConnectionOptions);
  });

  it('reads sslmode and sslrootcert from the URL when no TLS is given apart', () => {
    const { ssl, parameters } = postgresEndpoint(
      `postgres://h@db.example/d?sslmode=verify-full&sslrootcert=${ca.certFile}&application_name=w`,
    );
    expect((ssl as ConnectionOptions).ca).toBe(pem(ca.certFile));
    expect(parameters).toEqual({ application_name: 'w' });
  });
});

describe('explainPostgresFailure', () => {
  const tls: PostgresTls = { mode: 'verify-full', ca: 'CA', caFile: '/etc/ca.pem' };
  const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

  // prettier-ignore
  it.each<[string, Error, string]>([
    ['an untrusted chain', failure('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'DATABASE_SSL_CA_FILE: PostgreSQL at db.example:6432 presented a certificate not signed by an authority in /etc/ca.pem (self-signed certificate in certificate chain)'],
    ['another host', failure('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'DATABASE_URL: the certificate of PostgreSQL at db.example:6432 does not name the host "db.example", as sslmode verify-full requires: use a host name the certificate lists'],
    ['a server without TLS', new Error('The server does not support SSL connections'), 'DATABASE_SSL_MODE: PostgreSQL at db.example:6432 does not accept TLS (sslmode verify-full)'],
    ['a wrong password', failure('28P01', 'password authentication failed for user "hotline"'), 'DATABASE_PASSWORD: PostgreSQL at db.example:6432 refused the password of user "hotline"'],
  ])('names the setting for %s', (_, error, expected) => {
    const explained = explainPostgresFailure(error, URL_, { tls, password: new Secret('p') }) as Error;
    expect(explained.message).toContain(expected);
    expect(explained.message).not.toContain('in@url');
  });

  it('leaves other failures as they are', () => {
    const other = failure('ECONNREFUSED', 'connect ECONNREFUSED');
    expect(explainPostgresFailure(other, URL_, { tls })).toBe(other);
  });
});
