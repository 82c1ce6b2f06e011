/**
 * The settings that reach secured infrastructure — Kafka over TLS and SASL, PostgreSQL over TLS —
 * and every rule about them, in one place. loadConfig merges their schema into its own and lists
 * their problems with the others'. Files (authorities, certificates, keys) are read here, once,
 * so a missing file stops the start instead of the first connection.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  KAFKA_SASL_MECHANISMS,
  type KafkaSasl,
  type KafkaSecurity,
  type KafkaTls,
} from '../kafka/kafka-security';
import {
  POSTGRES_SSL_MODES,
  isSslMode,
  type PostgresConnectionSettings,
  type PostgresTls,
} from '../postgres/postgres-connection';
import { Secret } from './secret';

const flag = z.enum(['true', 'false']);
const path = z.string().min(1);

/** Merged into the environment schema of app-config.ts. */
export const connectionSecurityEnvShape = {
  /** Connect to the brokers over TLS. */
  KAFKA_TLS: flag.default('false'),
  /** PEM file of the authorities that sign the brokers' certificates; unset: the system's. */
  KAFKA_TLS_CA_FILE: path.optional(),
  /** Mutual TLS: the client's certificate (PEM) and its private key (PEM), both or neither. */
  KAFKA_TLS_CERT_FILE: path.optional(),
  KAFKA_TLS_KEY_FILE: path.optional(),
  /** The passphrase of an encrypted KAFKA_TLS_KEY_FILE. */
  KAFKA_TLS_KEY_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** SASL PLAIN sends the password as it is: refused without TLS unless this says so. */
  KAFKA_SASL_ALLOW_PLAIN_WITHOUT_TLS: flag.default('false'),
  /** libpq's sslmode for DATABASE_URL's server (or `sslmode` in the URL, not both). */
  DATABASE_SSL_MODE: z.enum(POSTGRES_SSL_MODES).optional(),
  /** PEM file of the authorities that sign the server's certificate (or `sslrootcert` in the URL). */
  DATABASE_SSL_CA_FILE: path.optional(),
  /** The database password, kept out of DATABASE_URL. */
  DATABASE_PASSWORD: z.string().min(1).optional(),
};

type SecurityEnv = {
  [K in keyof typeof connectionSecurityEnvShape]: z.infer<(typeof connectionSecurityEnvShape)[K]>;
} & { DATABASE_URL?: string };

export interface SettingProblem {
  setting: string;
  message: string;
}

export interface ConnectionSecurity {
  kafka: KafkaSecurity;
  /**
   * TLS and password for DATABASE_URL's server. The URL itself stays as given (child processes
   * and tools receive it whole); its `sslmode`/`sslrootcert` are read from here, not by pg.
   */
  postgres: PostgresConnectionSettings;
}

/**
 * Reads and checks the security settings of `env` (secrets already read from their files).
 * Each setting is parsed on its own, so the rules between them still run, and report, when one of
 * them is malformed: every problem is listed at once.
 */
export function loadConnectionSecurity(env: Record<string, string | undefined>): {
  value: ConnectionSecurity;
  problems: SettingProblem[];
} {
  const problems: SettingProblem[] = [];
  const report: Report = (setting, message) => problems.push({ setting, message });
  const e: Record<string, unknown> = {};
  for (const [setting, schema] of Object.entries(connectionSecurityEnvShape)) {
    const parsed = schema.safeParse(env[setting] === '' ? undefined : env[setting]);
    if (parsed.success) e[setting] = parsed.data;
    else for (const issue of parsed.error.issues) report(setting, issue.message);
  }
  // DATABASE_URL itself is checked by the main schema; a malformed one is skipped here.
  e.DATABASE_URL = URL.canParse(env.DATABASE_URL ?? '') ? env.DATABASE_URL : undefined;
  const settings = e as SecurityEnv;
  const value: ConnectionSecurity = {
    kafka: {
      tls: kafkaTls(settings, report),
      sasl: kafkaSasl(settings, report, (env.KAFKA_SASL_MECHANISM ?? '') !== ''),
    },
    postgres: postgresSettings(settings, report),
  };
  return { value, problems };
}

type Report = (setting: string, message: string) => void;

function kafkaTls(e: SecurityEnv, report: Report): KafkaTls | null {
  const files = {
    KAFKA_TLS_CA_FILE: e.KAFKA_TLS_CA_FILE,
    KAFKA_TLS_CERT_FILE: e.KAFKA_TLS_CERT_FILE,
    KAFKA_TLS_KEY_FILE: e.KAFKA_TLS_KEY_FILE,
    KAFKA_TLS_KEY_PASSWORD: e.KAFKA_TLS_KEY_PASSWORD,
  };
  if (e.KAFKA_TLS === 'false') {
    for (const [setting, value] of Object.entries(files)) {
      if (value !== undefined) report(setting, 'is set but KAFKA_TLS is not true');
    }
    return null;
  }
  const tls: KafkaTls = {};
  if (e.KAFKA_TLS_CA_FILE !== undefined) {
    const ca = readCertificates('KAFKA_TLS_CA_FILE', e.KAFKA_TLS_CA_FILE, report);
    if (ca !== undefined) Object.assign(tls, { ca, caFile: e.KAFKA_TLS_CA_FILE });
  }
  if ((e.KAFKA_TLS_CERT_FILE === undefined) !== (e.KAFKA_TLS_KEY_FILE === undefined)) {
    const missing =
      e.KAFKA_TLS_CERT_FILE === undefined ? 'KAFKA_TLS_CERT_FILE' : 'KAFKA_TLS_KEY_FILE';
    report(
      missing,
      'is required for mutual TLS: give KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE together',
    );
  }
  if (e.KAFKA_TLS_KEY_PASSWORD !== undefined && e.KAFKA_TLS_KEY_FILE === undefined) {
    report('KAFKA_TLS_KEY_PASSWORD', 'is set without KAFKA_TLS_KEY_FILE');
  }
  if (e.KAFKA_TLS_CERT_FILE !== undefined && e.KAFKA_TLS_KEY_FILE !== undefined) {
    const keyPassword =
      e.KAFKA_TLS_KEY_PASSWORD === undefined ? undefined : new Secret(e.KAFKA_TLS_KEY_PASSWORD);
    const pair = readClientCertificate(
      e.KAFKA_TLS_CERT_FILE,
      e.KAFKA_TLS_KEY_FILE,
      keyPassword,
      report,
    );
    if (pair !== undefined) Object.assign(tls, pair, keyPassword ? { keyPassword } : {});
  }
  return tls;
}

/** `mechanismGiven`: a malformed mechanism is already reported; the credentials are not astray. */
function kafkaSasl(e: SecurityEnv, report: Report, mechanismGiven: boolean): KafkaSasl | null {
  const mechanism = e.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    if (mechanismGiven) return null;
    if (e.KAFKA_SASL_USERNAME !== undefined)
      report('KAFKA_SASL_USERNAME', 'is set without KAFKA_SASL_MECHANISM');
    if (e.KAFKA_SASL_PASSWORD !== undefined)
      report('KAFKA_SASL_PASSWORD', 'is set without KAFKA_SASL_MECHANISM');
    return null;
  }
  if (e.KAFKA_SASL_USERNAME === undefined) {
    report('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  }
  if (e.KAFKA_SASL_PASSWORD === undefined) {
    report(
      'KAFKA_SASL_PASSWORD',
      `is required with KAFKA_SASL_MECHANISM=${mechanism} (or KAFKA_SASL_PASSWORD_FILE)`,
    );
  }
  // SCRAM never sends the password; PLAIN sends it as it is, readable on the wire without TLS.
  if (
    mechanism === 'plain' &&
    e.KAFKA_TLS === 'false' &&
    e.KAFKA_SASL_ALLOW_PLAIN_WITHOUT_TLS === 'false'
  ) {
    report(
      'KAFKA_SASL_MECHANISM',
      'plain without KAFKA_TLS=true sends the password unencrypted: turn TLS on, or set KAFKA_SASL_ALLOW_PLAIN_WITHOUT_TLS=true for a network where that is acceptable',
    );
  }
  if (e.KAFKA_SASL_USERNAME === undefined || e.KAFKA_SASL_PASSWORD === undefined) return null;
  return {
    mechanism,
    username: e.KAFKA_SASL_USERNAME,
    password: new Secret(e.KAFKA_SASL_PASSWORD),
  };
}

function postgresSettings(e: SecurityEnv, report: Report): PostgresConnectionSettings {
  const url = e.DATABASE_URL === undefined ? undefined : new URL(e.DATABASE_URL);
  if (url === undefined) {
    // The local and embedded servers are reached on the loopback, plaintext and password-less.
    for (const setting of [
      'DATABASE_SSL_MODE',
      'DATABASE_SSL_CA_FILE',
      'DATABASE_PASSWORD',
    ] as const) {
      if (e[setting] !== undefined)
        report(setting, 'applies to the server of DATABASE_URL, which is not set');
    }
    return {};
  }
  const urlMode = url.searchParams.get('sslmode') ?? undefined;
  const urlCaFile = url.searchParams.get('sslrootcert') ?? undefined;
  if (urlMode !== undefined && e.DATABASE_SSL_MODE !== undefined) {
    report('DATABASE_SSL_MODE', 'and sslmode in DATABASE_URL are both set: give one of them');
  }
  if (urlCaFile !== undefined && e.DATABASE_SSL_CA_FILE !== undefined) {
    report(
      'DATABASE_SSL_CA_FILE',
      'and sslrootcert in DATABASE_URL are both set: give one of them',
    );
  }
  if (url.password !== '' && e.DATABASE_PASSWORD !== undefined) {
    report('DATABASE_PASSWORD', 'and a password in DATABASE_URL are both set: give one of them');
  }
  for (const name of url.searchParams.keys()) {
    if (name.startsWith('ssl') && name !== 'sslmode' && name !== 'sslrootcert') {
      report(
        'DATABASE_URL',
        `the parameter ${name} is not supported (sslmode and sslrootcert are)`,
      );
    }
  }
  const mode = e.DATABASE_SSL_MODE ?? urlMode ?? 'disable';
  const caFile = e.DATABASE_SSL_CA_FILE ?? urlCaFile;
  const caSetting =
    e.DATABASE_SSL_CA_FILE !== undefined ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL sslrootcert';
  const modeSetting =
    e.DATABASE_SSL_MODE !== undefined ? 'DATABASE_SSL_MODE' : 'DATABASE_URL sslmode';
  const password = e.DATABASE_PASSWORD === undefined ? undefined : new Secret(e.DATABASE_PASSWORD);
  if (!isSslMode(mode)) {
    report(modeSetting, `"${mode}" is not one of ${POSTGRES_SSL_MODES.join(', ')}`);
    return { password };
  }
  if (caFile !== undefined && mode === 'disable') {
    report(caSetting, 'is set but TLS is off: set DATABASE_SSL_MODE=verify-full (or verify-ca)');
  }
  // libpq refuses verify-ca without a root certificate: with the system's public authorities it
  // would accept any server someone got a certificate for.
  if (mode === 'verify-ca' && caFile === undefined) {
    report('DATABASE_SSL_CA_FILE', 'is required with sslmode verify-ca');
  }
  const tls: PostgresTls = { mode };
  if (caFile !== undefined && mode !== 'disable') {
    const ca = readCertificates(caSetting, caFile, report);
    if (ca !== undefined) Object.assign(tls, { ca, caFile });
  }
  return password === undefined ? { tls } : { tls, password };
}

/** The PEM text of a file of certificates, or a problem naming the setting. */
function readCertificates(setting: string, file: string, report: Report): string | undefined {
  const pem = readText(setting, file, report);
  if (pem === undefined) return undefined;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) {
    report(setting, `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    report(setting, `${file} holds a certificate that cannot be read`);
    return undefined;
  }
  return pem;
}

/** The client certificate and key for mutual TLS, checked to belong together. */
function readClientCertificate(
  certFile: string,
  keyFile: string,
  keyPassword: Secret | undefined,
  report: Report,
): { cert: string; key: string } | undefined {
  const cert = readCertificates('KAFKA_TLS_CERT_FILE', certFile, report);
  const key = readText('KAFKA_TLS_KEY_FILE', keyFile, report);
  if (cert === undefined || key === undefined) return undefined;
  let privateKey;
  try {
    privateKey = createPrivateKey({ key, passphrase: keyPassword?.reveal() });
  } catch {
    // Node's message may quote the key's decoding; the setting names are enough.
    report(
      'KAFKA_TLS_KEY_FILE',
      `${keyFile} holds no readable PEM private key${keyPassword ? ' (or KAFKA_TLS_KEY_PASSWORD does not open it)' : ' (an encrypted key needs KAFKA_TLS_KEY_PASSWORD)'}`,
    );
    return undefined;
  }
  if (!new X509Certificate(cert).checkPrivateKey(privateKey)) {
    report(
      'KAFKA_TLS_KEY_FILE',
      `the key in ${keyFile} does not belong to the certificate in KAFKA_TLS_CERT_FILE`,
    );
    return undefined;
  }
  return { cert, key };
}

function readText(setting: string, file: string, report: Report): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    report(
      setting,
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`,
    );
    return undefined;
  }
}
