/**
 * The start-up check of a Kafka connection: one admin session (TLS handshake, SASL login, a
 * metadata request) with few retries, so a wrong password or an untrusted certificate stops the
 * process at once with the setting to fix, instead of a consumer retrying in the background.
 * Messages name settings, hosts, users and files — never a password.
 */
import { classifyTlsFailure } from '../tls/classify-tls-failure';
import { createKafka, type KafkaClientOptions } from './kafka-client';
import type { KafkaSecurity } from './kafka-security';

export class KafkaConnectionError extends Error {
  readonly code = 'kafka_connection_failed';
  /** A refusal that trying again cannot change (credentials, certificates). */
  readonly permanent: boolean;
  constructor(
    /** The setting to look at first. */
    readonly setting: string,
    message: string,
    options: { cause?: unknown; permanent: boolean },
  ) {
    super(`${setting}: ${message}`, { cause: options.cause });
    this.permanent = options.permanent;
  }
}

/**
 * Connects to the brokers of `options`; throws a KafkaConnectionError naming the setting. A refused
 * login or certificate fails at once (waiting cannot fix it); an unreachable broker is tried
 * `attempts` times a second or more apart, as it may be starting beside us.
 */
export async function checkKafkaConnection(
  options: KafkaClientOptions,
  attempts = 5,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const failure = await connectOnce(options);
    if (failure === undefined) return;
    if (failure.permanent || attempt >= attempts) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
  }
}

async function connectOnce(options: KafkaClientOptions): Promise<KafkaConnectionError | undefined> {
  const admin = createKafka({ ...options, retries: 0 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return undefined;
  } catch (error) {
    return explainKafkaFailure(error, options.brokers, options.security);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The explained error (every failure to connect is explained: at least the brokers are named). */
export function explainKafkaFailure(
  error: unknown,
  brokers: string[],
  security: KafkaSecurity = { tls: null, sasl: null },
): KafkaConnectionError {
  const where = `the Kafka broker at ${brokerOf(error) ?? brokers.join(',')}`;
  const reason = innermostMessage(error);
  const fail = (setting: string, message: string, permanent = true) =>
    new KafkaConnectionError(setting, `${message} (${reason})`, { cause: error, permanent });
  if (hasName(error, 'KafkaJSSASLAuthenticationError')) {
    const sasl = security.sasl;
    return fail(
      'KAFKA_SASL_PASSWORD',
      sasl === null
        ? `${where} refused the login`
        : `${where} refused the ${sasl.mechanism} login of KAFKA_SASL_USERNAME "${sasl.username}": check KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) and the user's credentials for that mechanism`,
    );
  }
  if (hasType(error, 'UNSUPPORTED_SASL_MECHANISM')) {
    return fail('KAFKA_SASL_MECHANISM', `${where} does not offer ${security.sasl?.mechanism}`);
  }
  switch (classifyTlsFailure(error)) {
    case 'untrusted':
      return fail(
        'KAFKA_TLS_CA_FILE',
        security.tls?.caFile === undefined
          ? `${where} presented a certificate no system authority signed; set KAFKA_TLS_CA_FILE to the cluster's authority`
          : `${where} presented a certificate not signed by an authority in ${security.tls.caFile}`,
      );
    case 'host_mismatch':
      return fail(
        'KAFKA_BROKERS',
        `the certificate of ${where} does not name the host connected to: use the names the certificate lists (the brokers' advertised listeners too)`,
      );
    case 'not_valid_now':
      return fail('KAFKA_BROKERS', `the certificate of ${where} is expired or not valid yet`);
    case 'not_tls':
      return fail('KAFKA_TLS', `${where} does not speak TLS on this port: is it the TLS listener?`);
    case 'client_certificate_refused':
      return fail(
        'KAFKA_TLS_CERT_FILE',
        `${where} wants a client certificate it trusts (mutual TLS): check KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE`,
      );
    case undefined:
      break;
  }
  // A TLS or SASL listener drops a client that does not start with the handshake it expects.
  if (hasName(error, 'KafkaJSConnectionClosedError') || /closed|timeout/i.test(reason)) {
    return fail(
      'KAFKA_TLS',
      `${where} closed the connection or did not answer: check that KAFKA_TLS (${security.tls ? 'true' : 'false'}) and KAFKA_SASL_MECHANISM (${security.sasl?.mechanism ?? 'none'}) match its listener`,
      false,
    );
  }
  return fail('KAFKA_BROKERS', `cannot connect to ${where}`, false);
}

/** The error and the ones it wraps (kafkajs wraps the last attempt's error on giving up). */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth += 1) {
    const record = current as Record<string, unknown>;
    yield record;
    current = record.cause ?? record.originalError;
  }
}

function hasName(error: unknown, name: string): boolean {
  for (const e of chain(error)) if (e.name === name) return true;
  return false;
}

function hasType(error: unknown, type: string): boolean {
  for (const e of chain(error)) if (e.type === type) return true;
  return false;
}

function brokerOf(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e.broker === 'string') return e.broker;
  return undefined;
}

function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const e of chain(error)) if (typeof e.message === 'string') message = e.message;
  return message.trim();
}
