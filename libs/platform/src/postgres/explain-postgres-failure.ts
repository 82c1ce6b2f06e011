/**
 * A failed connection to PostgreSQL told in terms of the settings to fix (DATABASE_SSL_CA_FILE,
 * DATABASE_URL's host, DATABASE_SSL_MODE, DATABASE_PASSWORD). Never the password itself: the
 * messages carry the host, port, user and file names only.
 */
import { classifyTlsFailure } from '../tls/classify-tls-failure';
import { postgresEndpoint, type PostgresConnectionSettings } from './postgres-connection';

export class PostgresConnectionError extends Error {
  readonly code = 'postgres_connection_failed';
  constructor(
    /** The setting to look at first. */
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${message}`, options);
  }
}

/** The explained error, or `error` itself when it is not about the connection's settings. */
export function explainPostgresFailure(
  error: unknown,
  url: string,
  settings: PostgresConnectionSettings = {},
): unknown {
  const { host, port, user } = postgresEndpoint(url, { ...settings, tls: { mode: 'disable' } });
  const server = `PostgreSQL at ${host ?? 'localhost'}:${port ?? 5432}`;
  const reason = error instanceof Error ? error.message : String(error);
  const mode = settings.tls?.mode ?? 'disable';
  const fail = (setting: string, message: string) =>
    new PostgresConnectionError(setting, `${message} (${reason})`, { cause: error });
  switch (classifyTlsFailure(error)) {
    case 'untrusted':
      return fail(
        'DATABASE_SSL_CA_FILE',
        settings.tls?.caFile === undefined
          ? `${server} presented a certificate no system authority signed; set DATABASE_SSL_CA_FILE to its authority`
          : `${server} presented a certificate not signed by an authority in ${settings.tls.caFile}`,
      );
    case 'host_mismatch':
      return fail(
        'DATABASE_URL',
        `the certificate of ${server} does not name the host "${host}", as sslmode verify-full requires: use a host name the certificate lists`,
      );
    case 'not_valid_now':
      return fail(
        'DATABASE_SSL_CA_FILE',
        `the certificate of ${server} is expired or not valid yet`,
      );
    case 'not_tls':
      return fail('DATABASE_SSL_MODE', `${server} did not answer in TLS`);
    case 'client_certificate_refused':
      return fail(
        'DATABASE_URL',
        `${server} requires a client certificate, which is not supported`,
      );
    case undefined:
      break;
  }
  // pg's own words when the server has ssl = off.
  if (/does not support SSL/i.test(reason)) {
    return fail('DATABASE_SSL_MODE', `${server} does not accept TLS (sslmode ${mode})`);
  }
  const code = (error as { code?: unknown }).code;
  // 28000 with "no encryption": pg_hba.conf has only hostssl lines for us.
  if (code === '28000' && /no encryption/i.test(reason)) {
    return fail('DATABASE_SSL_MODE', `${server} accepts only TLS connections (sslmode ${mode})`);
  }
  if (code === '28P01') {
    const setting = settings.password === undefined ? 'DATABASE_URL' : 'DATABASE_PASSWORD';
    return fail(setting, `${server} refused the password of user "${user ?? ''}"`);
  }
  return error;
}
