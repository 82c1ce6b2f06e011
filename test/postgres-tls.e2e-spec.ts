/**
 * PostgreSQL reached over TLS, against a cluster the test starts with `ssl = on` (its own folder
 * and port, a server certificate for `localhost` from an authority made for the run, passwords,
 * plaintext refused): verify-full with the right authority connects and migrates, from the
 * separate settings or from DATABASE_URL; a wrong host name, a wrong authority, TLS off and a
 * wrong password each fail naming the setting to fix. Then the API on it, every secret configured
 * from files: no log line, health answer or error body shows one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, migrate, openDataSource } from '@hotline/persistence';
import { loadConfig, signAccessToken } from '@hotline/platform';
import {
  createCertificateAuthority,
  startTlsPostgres,
  startWorker,
  waitFor,
  type CertificateAuthority,
  type TlsPostgres,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';

jest.setTimeout(120_000);

let pg: TlsPostgres;
let stranger: CertificateAuthority;
let passwordFile: string;

beforeAll(async () => {
  pg = await startTlsPostgres();
  stranger = createCertificateAuthority(pg.dir, 'stranger-ca');
  passwordFile = join(pg.dir, 'database-password');
  writeFileSync(passwordFile, `${pg.password}\n`);
  const admin = await open({ ...verifyFull(), DATABASE_URL: pg.url('postgres') });
  await admin.query('CREATE DATABASE hotline_tls');
  await admin.destroy();
});

afterAll(async () => {
  await pg?.stop();
});

/** The settings of an operator who follows the README: verify-full, the CA, the password file. */
function verifyFull(): Record<string, string> {
  return {
    DATABASE_URL: pg.url('hotline_tls'),
    DATABASE_SSL_MODE: 'verify-full',
    DATABASE_SSL_CA_FILE: pg.ca.certFile,
    DATABASE_PASSWORD_FILE: passwordFile,
  };
}

/** Opens a data source exactly as every process role does, from the configuration. */
function open(env: Record<string, string>): Promise<DataSource> {
  const config = loadConfig(env);
  return openDataSource({
    url: config.databaseUrl!,
    connection: config.db.connection,
    poolSize: 2,
  });
}

async function tlsOfSession(dataSource: DataSource): Promise<boolean> {
  const rows = await dataSource.query<{ ssl: boolean }[]>(
    'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
  );
  return rows[0]!.ssl;
}

describe('PostgreSQL over TLS', () => {
  it('connects with verify-full and the right authority, and migrations run over it', async () => {
    const dataSource = await open(verifyFull());
    try {
      expect(await tlsOfSession(dataSource)).toBe(true);
      const applied = await migrate(dataSource);
      expect(applied).toHaveLength(MIGRATIONS.length);
      const rows = await dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM schema_migrations',
      );
      expect(rows[0]!.n).toBe(MIGRATIONS.length);
    } finally {
      await dataSource.destroy();
    }
  });

  it('takes sslmode and sslrootcert from DATABASE_URL as well', async () => {
    const dataSource = await open({
      DATABASE_URL: `${pg.url('hotline_tls')}?sslmode=verify-full&sslrootcert=${pg.ca.certFile}`,
      DATABASE_PASSWORD_FILE: passwordFile,
    });
    try {
      expect(await tlsOfSession(dataSource)).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });

  it('checks the authority but not the host name with verify-ca', async () => {
    const dataSource = await open({
      ...verifyFull(),
      DATABASE_URL: pg.url('hotline_tls', '127.0.0.1'),
      DATABASE_SSL_MODE: 'verify-ca',
    });
    try {
      expect(await tlsOfSession(dataSource)).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });

  it.each<[string, () => Record<string, string>, () => string]>([
    [
      'a host name the certificate does not name',
      () => ({ ...verifyFull(), DATABASE_URL: pg.url('hotline_tls', '127.0.0.1') }),
      () =>
        `DATABASE_URL: the certificate of PostgreSQL at 127.0.0.1:${pg.port} does not name the host "127.0.0.1", as sslmode verify-full requires`,
    ],
    [
      'an authority that did not sign the server',
      () => ({ ...verifyFull(), DATABASE_SSL_CA_FILE: stranger.certFile }),
      () =>
        `DATABASE_SSL_CA_FILE: PostgreSQL at localhost:${pg.port} presented a certificate not signed by an authority in ${stranger.certFile}`,
    ],
    [
      'TLS off',
      () => ({ DATABASE_URL: pg.url('hotline_tls'), DATABASE_PASSWORD_FILE: passwordFile }),
      () =>
        `DATABASE_SSL_MODE: PostgreSQL at localhost:${pg.port} accepts only TLS connections (sslmode disable)`,
    ],
    [
      'a wrong password',
      () => {
        const wrong = join(pg.dir, 'wrong-password');
        writeFileSync(wrong, 'not-the-database-password');
        return { ...verifyFull(), DATABASE_PASSWORD_FILE: wrong };
      },
      () =>
        `DATABASE_PASSWORD: PostgreSQL at localhost:${pg.port} refused the password of user "postgres"`,
    ],
  ])('fails with %s, naming the setting', async (_, env, expected) => {
    const failure = await open(env()).then(
      (dataSource) => dataSource.destroy().then(() => 'connected'),
      (error: Error) => error.message,
    );
    expect(failure).toContain(expected());
    expect(failure).not.toContain(pg.password);
  });
});

describe('the API on it, every secret from a file', () => {
  const jwtSecret = `jwt-${'s'.repeat(40)}`;
  const kafkaPassword = 'kafka-scram-password-in-a-file';

  function apiEnv(): Record<string, string> {
    const jwtFile = join(pg.dir, 'jwt-secret');
    const kafkaFile = join(pg.dir, 'kafka-password');
    writeFileSync(jwtFile, `${jwtSecret}\n`);
    writeFileSync(kafkaFile, kafkaPassword);
    return {
      ...verifyFull(),
      JWT_SECRET_FILE: jwtFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'hotline',
      KAFKA_SASL_PASSWORD_FILE: kafkaFile,
      LOG_LEVEL: 'debug',
    };
  }

  it('serves, and no log line, health answer or error body contains a configured secret', async () => {
    const api = await startWorker(apiEnv(), 'api');
    const base = `http://127.0.0.1:${api.port}`;
    const bodies: string[] = [];
    try {
      const health = await waitFor(
        `the API to answer\n${api.output()}`,
        async () => {
          if (api.child.exitCode !== null) throw new Error(`api exited:\n${api.output()}`);
          const res = await fetch(`${base}/health`);
          return res.status === 200 ? await res.text() : undefined;
        },
        90_000,
      );
      bodies.push(health);
      const token = await signAccessToken(
        { subject: 'tls-supervisor', role: 'supervisor', ttlSeconds: 600, now: new Date() },
        jwtSecret,
      );
      const asked: [string, Record<string, string>, number][] = [
        ['/work-orders', { authorization: `Bearer ${token}` }, 200],
        ['/work-orders', {}, 401],
        ['/work-orders', { authorization: `Bearer ${token.slice(0, -4)}AAAA` }, 401],
        ['/work-orders/NO-SUCH-ORDER', { authorization: `Bearer ${token}` }, 404],
        ['/work-orders?page=many', { authorization: `Bearer ${token}` }, 400],
      ];
      for (const [path, headers, status] of asked) {
        const res = await fetch(`${base}${path}`, { headers });
        expect([path, res.status]).toEqual([path, status]);
        bodies.push(await res.text());
      }
    } finally {
      await api.stop();
    }
    const shown = `${api.output()}\n${bodies.join('\n')}`;
    expect(shown).toContain('"status"');
    for (const secret of [jwtSecret, kafkaPassword, pg.password]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('stops at start-up on an authority that did not sign the server, naming DATABASE_SSL_CA_FILE', async () => {
    const api = await startWorker({ ...apiEnv(), DATABASE_SSL_CA_FILE: stranger.certFile }, 'api');
    try {
      expect(await api.exited).toEqual({ code: 1, signal: null });
    } finally {
      await api.stop();
    }
    expect(api.output()).toContain(
      `DATABASE_SSL_CA_FILE: PostgreSQL at localhost:${pg.port} presented a certificate not signed by an authority in ${stranger.certFile}`,
    );
    for (const secret of [jwtSecret, kafkaPassword, pg.password]) {
      expect(api.output()).not.toContain(secret);
    }
  });
});
