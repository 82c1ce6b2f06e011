/**
 * How every PostgreSQL pool and client of the product connects: the URL's server, user and
 * database, a password given apart from the URL, and TLS with libpq's `sslmode` meanings.
 *
 * node-postgres reads `sslmode` its own way (8.x treats `require` and `verify-ca` as
 * `verify-full`) and lets the URL override options given beside it, so the URL is taken apart
 * here and pg receives explicit fields only.
 */
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import type { ClientConfig } from 'pg';
import type { Secret } from '../config/secret';

/** libpq's modes that make sense for a server we must reach (`allow`/`prefer` would guess). */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

export interface PostgresTls {
  mode: PostgresSslMode;
  /** PEM of the certificate authorities trusted for the server; absent: the system's. */
  ca?: string;
  /** Where `ca` came from, for messages. */
  caFile?: string;
}

export interface PostgresConnectionSettings {
  tls?: PostgresTls;
  /** Used instead of a password in the URL. */
  password?: Secret;
}

/** The URL's query parameters this module interprets (the others go to pg as they are). */
const TLS_PARAMETERS = ['sslmode', 'sslrootcert'] as const;

/** Where and how to connect, taken apart: what pg and TypeORM receive as explicit fields. */
export interface PostgresEndpoint {
  host: string | undefined;
  port: number | undefined;
  user: string | undefined;
  password: string | undefined;
  database: string | undefined;
  ssl: ConnectionOptions | false;
  /** The URL's other query parameters (application_name, options, …), as pg reads them. */
  parameters: Record<string, string>;
}

/**
 * The endpoint of `url` with `settings` applied. TLS comes from `settings.tls` or else from the
 * URL's `sslmode`/`sslrootcert` (the file is read here), so a URL alone also works.
 */
export function postgresEndpoint(
  url: string,
  settings: PostgresConnectionSettings = {},
): PostgresEndpoint {
  const parsed = new URL(url);
  const parameters: Record<string, string> = {};
  for (const [name, value] of parsed.searchParams) {
    if (!(TLS_PARAMETERS as readonly string[]).includes(name)) parameters[name] = value;
  }
  return {
    host: decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1')) || undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: decodeURIComponent(parsed.username) || undefined,
    password: settings.password?.reveal() ?? (decodeURIComponent(parsed.password) || undefined),
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    ssl: tlsOptions(settings.tls ?? postgresTlsFromUrl(url)),
    parameters,
  };
}

/** pg's client settings for `url` with `settings` applied (see {@link postgresEndpoint}). */
export function postgresClientConfig(
  url: string,
  settings: PostgresConnectionSettings = {},
): ClientConfig {
  const { parameters, ...endpoint } = postgresEndpoint(url, settings);
  // A field the URL leaves out must not hide the same one given as a parameter (`?host=/socket`).
  const given = Object.entries(endpoint).filter(([, value]) => value !== undefined);
  return { ...parameters, ...Object.fromEntries(given) };
}

/**
 * TLS as the URL asks: `sslmode` (default disable) and `sslrootcert`. Invalid values are the
 * configuration's to report; here an unknown mode throws.
 */
export function postgresTlsFromUrl(url: string): PostgresTls {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('sslmode') ?? 'disable';
  if (!isSslMode(mode)) throw new Error(`unsupported sslmode "${mode}" in the PostgreSQL URL`);
  const caFile = parsed.searchParams.get('sslrootcert') ?? undefined;
  return caFile === undefined ? { mode } : { mode, caFile, ca: readPem(caFile) };
}

export function isSslMode(mode: string): mode is PostgresSslMode {
  return (POSTGRES_SSL_MODES as readonly string[]).includes(mode);
}

/**
 * libpq's meanings: `require` encrypts without checking who answers — unless a CA is given, then
 * it is `verify-ca` (as libpq does with a root certificate); `verify-ca` checks the chain only;
 * `verify-full` the chain and that the certificate names the host of the URL.
 */
function tlsOptions(tls: PostgresTls): ConnectionOptions | false {
  switch (tls.mode) {
    case 'disable':
      return false;
    case 'require':
      return tls.ca === undefined
        ? { rejectUnauthorized: false }
        : { ca: tls.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { ca: tls.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      // pg gives Node no servername for an IP address; Node then checks the IP against the SANs.
      return { ca: tls.ca, rejectUnauthorized: true, checkServerIdentity };
  }
}

function readPem(path: string): string {
  return readFileSync(path, 'utf8');
}
