/**
 * How a Kafka client proves itself and checks the cluster: TLS (the cluster's certificate
 * authority, optionally a client certificate for mutual TLS) and SASL. Plain data, read and
 * validated once by the configuration (KAFKA_TLS*, KAFKA_SASL*), applied by createKafka.
 */
import type { Secret } from '../config/secret';

/** The SASL mechanisms offered, with kafkajs's names (the Java client's are upper case). */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface KafkaTls {
  /** PEM of the authorities trusted for the brokers; absent: the system's. */
  ca?: string;
  caFile?: string;
  /** Mutual TLS: the client's certificate chain and private key (PEM), both or neither. */
  cert?: string;
  key?: string;
  /** The passphrase of an encrypted `key`. */
  keyPassword?: Secret;
}

export interface KafkaSasl {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: Secret;
}

export interface KafkaSecurity {
  /** Null: plaintext connections. */
  tls: KafkaTls | null;
  /** Null: no authentication. */
  sasl: KafkaSasl | null;
}

/** Anonymous plaintext: the local broker of tests, the demo and benchmarks. */
export const KAFKA_PLAINTEXT: KafkaSecurity = { tls: null, sasl: null };
