import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  createCertificateAuthority,
  issueCertificate,
  pem,
} from '@hotline/testing/tls-certificates';
import { ConfigError, loadConfig, type AppConfig } from './app-config';

const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ca = createCertificateAuthority(dir, 'config-ca');
const client = issueCertificate(ca, dir, { name: 'client' });
const other = issueCertificate(ca, dir, { name: 'other' });
const locked = issueCertificate(ca, dir, { name: 'locked', keyPassword: 'key-passphrase-1' });
const missing = join(dir, 'missing.pem');
const notPem = file('not-a-certificate.txt', 'hello\n');
const saslPasswordFile = file('sasl-password', 'scram-secret-from-file\n');
const emptyFile = file('empty', '');
const jwtFile = file('jwt', 'j'.repeat(40) + '\n');
const shortJwtFile = file('short-jwt', 'short-jwt-value\n');
const dbPasswordFile = file('db-password', 'db-secret-from-file');
const DB = 'postgres://hotline@db.example:5432/hotline';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Kafka security settings', () => {
  // prettier-ignore
  it.each<[string, Record<string, string>, string[]]>([
    ['CA file missing', { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: missing }, [`KAFKA_TLS_CA_FILE: cannot read ${missing}: ENOENT`]],
    ['CA file without a certificate', { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: notPem }, [`KAFKA_TLS_CA_FILE: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]],
    ['TLS files with TLS off', { KAFKA_TLS_CA_FILE: ca.certFile, KAFKA_TLS_CERT_FILE: client.certFile, KAFKA_TLS_KEY_FILE: client.keyFile }, ['KAFKA_TLS_CA_FILE: is set but KAFKA_TLS is not true', 'KAFKA_TLS_CERT_FILE: is set but KAFKA_TLS is not true', 'KAFKA_TLS_KEY_FILE: is set but KAFKA_TLS is not true']],
    ['a client certificate without its key', { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: client.certFile }, ['KAFKA_TLS_KEY_FILE: is required for mutual TLS: give KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE together']],
    ['a key that is not the certificate\'s', { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: client.certFile, KAFKA_TLS_KEY_FILE: other.keyFile }, [`KAFKA_TLS_KEY_FILE: the key in ${other.keyFile} does not belong to the certificate in KAFKA_TLS_CERT_FILE`]],
    ['an encrypted key without its passphrase', { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: locked.certFile, KAFKA_TLS_KEY_FILE: locked.keyFile }, [`KAFKA_TLS_KEY_FILE: ${locked.keyFile} holds no readable PEM private key (an encrypted key needs KAFKA_TLS_KEY_PASSWORD)`]],
    ['an encrypted key with a wrong passphrase', { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: locked.certFile, KAFKA_TLS_KEY_FILE: locked.keyFile, KAFKA_TLS_KEY_PASSWORD: 'not-the-passphrase' }, [`KAFKA_TLS_KEY_FILE: ${locked.keyFile} holds no readable PEM private key (or KAFKA_TLS_KEY_PASSWORD does not open it)`]],
    ['a mechanism without a password', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'hotline' }, ['KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM=scram-sha-512 (or KAFKA_SASL_PASSWORD_FILE)']],
    ['a mechanism without a user', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'p-123456' }, ['KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM=scram-sha-256']],
    ['credentials without a mechanism', { KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456' }, ['KAFKA_SASL_USERNAME: is set without KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD: is set without KAFKA_SASL_MECHANISM']],
    ['SASL PLAIN without TLS', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456' }, ['KAFKA_SASL_MECHANISM: plain without KAFKA_TLS=true sends the password unencrypted: turn TLS on, or set KAFKA_SASL_ALLOW_PLAIN_WITHOUT_TLS=true for a network where that is acceptable']],
    ['an unknown mechanism', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456' }, ['KAFKA_SASL_MECHANISM: Invalid option: expected one of "scram-sha-512"|"scram-sha-256"|"plain"']],
  ])('refuses %s, naming the setting', (_, env, expected) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  // prettier-ignore
  it.each<[string, Record<string, string>, (security: AppConfig['kafka']['security']) => void]>([
    ['plaintext by default', {}, (s) => expect(s).toEqual({ tls: null, sasl: null })],
    ['TLS with the system authorities', { KAFKA_TLS: 'true' }, (s) => expect(s.tls).toEqual({})],
    ['TLS with a CA file', { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: ca.certFile }, (s) => expect(s.tls).toEqual({ ca: pem(ca.certFile), caFile: ca.certFile })],
    ['mutual TLS with an encrypted key', { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: locked.certFile, KAFKA_TLS_KEY_FILE: locked.keyFile, KAFKA_TLS_KEY_PASSWORD: 'key-passphrase-1' }, (s) => {
      expect(s.tls?.cert).toBe(pem(locked.certFile));
      expect(s.tls?.keyPassword?.reveal()).toBe('key-passphrase-1');
    }],
    ['SCRAM with the password from a file', { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD_FILE: saslPasswordFile }, (s) => {
      expect(s.sasl?.mechanism).toBe('scram-sha-512');
      expect(s.sasl?.password.reveal()).toBe('scram-secret-from-file');
    }],
    ['SCRAM without TLS (the password never crosses the wire)', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456' }, (s) => expect(s.sasl?.mechanism).toBe('scram-sha-256')],
    ['PLAIN without TLS when explicitly allowed', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456', KAFKA_SASL_ALLOW_PLAIN_WITHOUT_TLS: 'true' }, (s) => expect(s.sasl?.mechanism).toBe('plain')],
    ['PLAIN over TLS', { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'hotline', KAFKA_SASL_PASSWORD: 'p-123456' }, (s) => expect(s.sasl?.mechanism).toBe('plain')],
  ])('accepts %s', (_, env, check) => {
    check(loadConfig(env).kafka.security);
  });
});

describe('PostgreSQL TLS settings', () => {
  // prettier-ignore
  it.each<[string, Record<string, string>, string[]]>([
    ['sslmode both in the URL and apart', { DATABASE_URL: `${DB}?sslmode=require`, DATABASE_SSL_MODE: 'verify-full' }, ['DATABASE_SSL_MODE: and sslmode in DATABASE_URL are both set: give one of them']],
    ['the CA both in the URL and apart', { DATABASE_URL: `${DB}?sslmode=verify-full&sslrootcert=${ca.certFile}`, DATABASE_SSL_CA_FILE: ca.certFile }, ['DATABASE_SSL_CA_FILE: and sslrootcert in DATABASE_URL are both set: give one of them']],
    ['TLS settings without DATABASE_URL', { DATABASE_SSL_MODE: 'verify-full', DATABASE_PASSWORD: 'p-123456' }, ['DATABASE_SSL_MODE: applies to the server of DATABASE_URL, which is not set', 'DATABASE_PASSWORD: applies to the server of DATABASE_URL, which is not set']],
    ['verify-ca without a CA', { DATABASE_URL: DB, DATABASE_SSL_MODE: 'verify-ca' }, ['DATABASE_SSL_CA_FILE: is required with sslmode verify-ca']],
    ['a CA with TLS off', { DATABASE_URL: DB, DATABASE_SSL_CA_FILE: ca.certFile }, ['DATABASE_SSL_CA_FILE: is set but TLS is off: set DATABASE_SSL_MODE=verify-full (or verify-ca)']],
    ['a CA file missing', { DATABASE_URL: DB, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: missing }, [`DATABASE_SSL_CA_FILE: cannot read ${missing}: ENOENT`]],
    ['libpq\'s guessing modes', { DATABASE_URL: `${DB}?sslmode=prefer` }, ['DATABASE_URL sslmode: "prefer" is not one of disable, require, verify-ca, verify-full']],
    ['an unknown DATABASE_SSL_MODE', { DATABASE_URL: DB, DATABASE_SSL_MODE: 'on' }, ['DATABASE_SSL_MODE: Invalid option: expected one of "disable"|"require"|"verify-ca"|"verify-full"']],
    ['a client certificate in the URL', { DATABASE_URL: `${DB}?sslmode=verify-full&sslcert=/c.pem` }, ['DATABASE_URL: the parameter sslcert is not supported (sslmode and sslrootcert are)']],
    ['a password both in the URL and apart', { DATABASE_URL: 'postgres://hotline:in-url@db.example/hotline', DATABASE_PASSWORD: 'p-123456' }, ['DATABASE_PASSWORD: and a password in DATABASE_URL are both set: give one of them']],
  ])('refuses %s, naming the setting', (_, env, expected) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  it('reads sslmode and sslrootcert from DATABASE_URL, which stays as given', () => {
    const url = `${DB}?sslmode=verify-full&sslrootcert=${ca.certFile}&application_name=x`;
    const config = loadConfig({ DATABASE_URL: url });
    expect(config.databaseUrl).toBe(url);
    expect(config.db.connection.tls).toEqual({
      mode: 'verify-full',
      ca: pem(ca.certFile),
      caFile: ca.certFile,
    });
  });

  it('takes the separate settings and the password from a file', () => {
    const config = loadConfig({
      DATABASE_URL: DB,
      DATABASE_SSL_MODE: 'verify-ca',
      DATABASE_SSL_CA_FILE: ca.certFile,
      DATABASE_PASSWORD_FILE: dbPasswordFile,
    });
    expect(config.db.connection.tls?.mode).toBe('verify-ca');
    expect(config.db.connection.password?.reveal()).toBe('db-secret-from-file');
  });

  it('leaves TLS off by default', () => {
    expect(loadConfig({ DATABASE_URL: DB }).db.connection).toEqual({ tls: { mode: 'disable' } });
  });
});

describe('secrets from files', () => {
  // prettier-ignore
  it.each<[string, Record<string, string>, string[]]>([
    ['both a value and a file', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p-123456', KAFKA_SASL_PASSWORD_FILE: saslPasswordFile }, ['KAFKA_SASL_PASSWORD: KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set: give one of them']],
    ['a missing file', { JWT_SECRET_FILE: missing }, [`JWT_SECRET_FILE: cannot read the file: ENOENT (${missing})`]],
    ['an empty file', { DATABASE_URL: DB, DATABASE_PASSWORD_FILE: emptyFile }, [`DATABASE_PASSWORD_FILE: the file is empty (${emptyFile})`]],
    ['a file whose secret breaks a rule', { JWT_SECRET_FILE: shortJwtFile }, ['JWT_SECRET: Too small: expected string to have >=32 characters']],
  ])('refuses %s', (_, env, expected) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  it('reads JWT_SECRET_FILE without its trailing newline', () => {
    expect(loadConfig({ JWT_SECRET_FILE: jwtFile }).auth.jwtSecret).toBe('j'.repeat(40));
  });

  it('lists every problem at once and never a secret value', () => {
    const secret = 'scram-secret-in-env';
    let caught: unknown;
    try {
      loadConfig({
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: missing,
        KAFKA_SASL_PASSWORD: secret,
        DATABASE_SSL_MODE: 'verify-full',
        JWT_SECRET: secret,
        KAFKA_SESSION_TIMEOUT_MS: '5',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^KAFKA_SESSION_TIMEOUT_MS: /),
        expect.stringMatching(/^JWT_SECRET: Too small/),
        `KAFKA_TLS_CA_FILE: cannot read ${missing}: ENOENT`,
        'KAFKA_SASL_PASSWORD: is set without KAFKA_SASL_MECHANISM',
        'DATABASE_SSL_MODE: applies to the server of DATABASE_URL, which is not set',
      ]),
    );
    expect(error.problems).toHaveLength(5);
    expect(`${error.message} ${inspect(error)}`).not.toContain(secret);
  });

  it('keeps secrets out of the configuration when it is logged or inspected', () => {
    const config = loadConfig({
      KAFKA_TLS: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'hotline',
      KAFKA_SASL_PASSWORD_FILE: saslPasswordFile,
      DATABASE_URL: DB,
      DATABASE_PASSWORD_FILE: dbPasswordFile,
    });
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String(config.kafka.security.sasl?.password)}`;
    expect(shown).not.toContain('scram-secret-from-file');
    expect(shown).not.toContain('db-secret-from-file');
    expect(shown).toContain('[secret]');
  });
});
