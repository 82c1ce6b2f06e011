/**
 * What went wrong in a TLS handshake, from Node's error codes (OpenSSL's verify results), so the
 * Kafka and PostgreSQL clients can name the setting to fix instead of repeating OpenSSL.
 */
export type TlsFailure =
  /** The peer's chain does not lead to an authority we trust (the CA file). */
  | 'untrusted'
  /** The certificate does not name the host we connected to. */
  | 'host_mismatch'
  /** Expired or not valid yet. */
  | 'not_valid_now'
  /** The peer does not speak TLS on that port. */
  | 'not_tls'
  /** The server wants a client certificate, or does not trust ours (mutual TLS). */
  | 'client_certificate_refused';

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const CLIENT_CERTIFICATE_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);
const NOT_VALID_NOW = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The kind of TLS failure `error` (or an error it wraps, via `cause`) is, if it is one. */
export function classifyTlsFailure(error: unknown): TlsFailure | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, message, cause } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') {
      if (UNTRUSTED.has(code)) return 'untrusted';
      if (NOT_VALID_NOW.has(code)) return 'not_valid_now';
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'host_mismatch';
      if (CLIENT_CERTIFICATE_REFUSED.has(code)) return 'client_certificate_refused';
      if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'not_tls';
    }
    if (typeof message === 'string' && /wrong version number|packet length too long/i.test(message))
      return 'not_tls';
    current = cause;
  }
  return undefined;
}
