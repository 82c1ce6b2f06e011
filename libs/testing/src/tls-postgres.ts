/**
 * A PostgreSQL cluster of the test's own — its folder, its port — that speaks TLS only, as a
 * managed database does: `ssl = on` with a server certificate for `localhost` signed by an
 * authority made for the run, `hostssl` lines with SCRAM passwords, plaintext TCP refused. The
 * embedded package's binaries (postgresBinaries: run as the `postgres` user when we are root).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinaries, type PostgresBinaries } from '@hotline/platform/postgres';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from './tls-certificates';
import { freePort } from './worker-process';

export interface TlsPostgres {
  port: number;
  /** The host name its certificate names. */
  host: 'localhost';
  /** The superuser `postgres` and its password (never in the URLs below). */
  user: string;
  password: string;
  ca: CertificateAuthority;
  dir: string;
  /** `postgres://postgres@<host>:<port>/<database>`, without password or TLS parameters. */
  url(database?: string, host?: string): string;
  stop(): Promise<void>;
}

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const binaries = await postgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'hotline-tls-postgres-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const ca = createCertificateAuthority(dir, 'postgres-ca');
  const server = issueCertificate(ca, dir, { name: 'server', dnsNames: ['localhost'] });
  const password = `pg-${randomBytes(12).toString('hex')}`;
  const passwordFile = join(dir, 'pwfile');
  writeFileSync(passwordFile, `${password}\n`);
  // The server reads its key only when it is private and its own.
  chmodSync(server.keyFile, 0o600);
  for (const file of [dir, server.keyFile, server.certFile, passwordFile]) giveTo(binaries, file);
  const port = await freePort();
  const run = (program: string, args: string[]) => runAs(binaries, program, args);
  await run('initdb', [
    '-D', data, '-U', 'postgres', '--pwfile', passwordFile, '--auth-local=trust',
    '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync',
  ]); // prettier-ignore
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = 'localhost'",
      "unix_socket_directories = ''",
      'ssl = on',
      `ssl_cert_file = '${server.certFile}'`,
      `ssl_key_file = '${server.keyFile}'`,
      'fsync = off',
      'max_connections = 40',
      '',
    ].join('\n'),
  );
  // TLS with a password, or nothing: a plaintext TCP connection is refused ("no encryption").
  writeFileSync(
    join(data, 'pg_hba.conf'),
    [
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'hostssl all all ::1/128 scram-sha-256',
      'hostnossl all all 0.0.0.0/0 reject',
      'hostnossl all all ::/0 reject',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    host: 'localhost',
    user: 'postgres',
    password,
    ca,
    dir,
    url: (database = 'postgres', host = 'localhost') =>
      `postgres://postgres@${host}:${port}/${database}`,
    stop,
  };
}

function giveTo(binaries: PostgresBinaries, path: string): void {
  if (binaries.runAs) chownSync(path, binaries.runAs.uid, binaries.runAs.gid);
}

async function runAs(binaries: PostgresBinaries, program: string, args: string[]): Promise<void> {
  try {
    await promisify(execFile)(join(binaries.binDir, program), args, {
      ...(binaries.runAs ?? {}),
      cwd: tmpdir(),
      timeout: 90_000,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${program} failed: ${stderr ?? ''}${stdout ?? ''}`, { cause: error });
  }
}
