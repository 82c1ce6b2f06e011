import { Secret } from '../config/secret';
import { explainKafkaFailure } from './kafka-connection-check';
import type { KafkaSecurity } from './kafka-security';

const security: KafkaSecurity = {
  tls: { ca: 'CA', caFile: '/etc/kafka-ca.pem' },
  sasl: { mechanism: 'scram-sha-512', username: 'hotline', password: new Secret('s3cret-pw') },
};

/** kafkajs's shape on giving up: its last attempt's error as `cause`, the socket's code kept. */
function kafkajsError(name: string, message: string, extra: Record<string, unknown> = {}) {
  const inner = Object.assign(new Error(message), { name, broker: 'k1:9093', ...extra });
  return Object.assign(new Error(message), {
    name: 'KafkaJSNumberOfRetriesExceeded',
    cause: inner,
  });
}

describe('explainKafkaFailure', () => {
  // prettier-ignore
  it.each<[string, Error, string, boolean]>([
    ['a refused SASL login', kafkajsError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed'), 'KAFKA_SASL_PASSWORD: the Kafka broker at k1:9093 refused the scram-sha-512 login of KAFKA_SASL_USERNAME "hotline"', true],
    ['an unknown authority', kafkajsError('KafkaJSConnectionError', 'Connection error: self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'KAFKA_TLS_CA_FILE: the Kafka broker at k1:9093 presented a certificate not signed by an authority in /etc/kafka-ca.pem', true],
    ['a certificate for another host', kafkajsError('KafkaJSConnectionError', "Hostname/IP does not match certificate's altnames", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'KAFKA_BROKERS: the certificate of the Kafka broker at k1:9093 does not name the host connected to', true],
    ['a plaintext listener', kafkajsError('KafkaJSConnectionError', 'Connection error: wrong version number'), 'KAFKA_TLS: the Kafka broker at k1:9093 does not speak TLS on this port', true],
    ['a missing client certificate', kafkajsError('KafkaJSConnectionError', 'Connection error: alert bad certificate', { code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' }), 'KAFKA_TLS_CERT_FILE: the Kafka broker at k1:9093 wants a client certificate it trusts (mutual TLS)', true],
    ['a dropped connection', kafkajsError('KafkaJSConnectionClosedError', 'Connection closed by the server'), 'KAFKA_TLS: the Kafka broker at k1:9093 closed the connection or did not answer: check that KAFKA_TLS (true) and KAFKA_SASL_MECHANISM (scram-sha-512) match its listener', false],
    ['an unreachable broker', kafkajsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' }), 'KAFKA_BROKERS: cannot connect to the Kafka broker at k1:9093', false],
  ])('names the setting for %s', (_, error, expected, permanent) => {
    const explained = explainKafkaFailure(error, ['k1:9093'], security);
    expect(explained.message).toContain(expected);
    expect(explained.permanent).toBe(permanent);
    expect(explained.message).not.toContain('s3cret-pw');
  });
});
