/**
 * Certificate authorities and certificates made with the openssl command line for tests of the
 * TLS connections (a broker's and a server's certificate, a client certificate for mutual TLS).
 * EC P-256 keys: generated in milliseconds, accepted by Java, PostgreSQL and Node alike.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertificateAuthority {
  name: string;
  certFile: string;
  keyFile: string;
}

export interface IssuedCertificate {
  certFile: string;
  /** PKCS#8 PEM, unencrypted unless `keyPassword` was given. */
  keyFile: string;
}

export interface CertificateRequest {
  /** File names in the folder, and the subject's common name. */
  name: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Encrypt the private key with this passphrase (AES-256). */
  keyPassword?: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed authority valid for two days, in `<dir>/<name>.crt` and `<dir>/<name>.key`. */
export function createCertificateAuthority(dir: string, name: string): CertificateAuthority {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  // prettier-ignore
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext',
    'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { name, certFile, keyFile };
}

/** A certificate signed by `ca` for the names given, usable by servers and clients. */
export function issueCertificate(
  ca: CertificateAuthority,
  dir: string,
  request: CertificateRequest,
): IssuedCertificate {
  const base = join(dir, request.name);
  const names = [
    ...(request.dnsNames ?? []).map((dns) => `DNS:${dns}`),
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  writeFileSync(
    `${base}.ext`,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
    ].join('\n'),
  );
  // prettier-ignore
  openssl([
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout',
    `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${request.name}`,
  ]);
  // prettier-ignore
  openssl([
    'x509', '-req', '-in', `${base}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`,
  ]);
  if (request.keyPassword !== undefined) {
    // prettier-ignore
    openssl([
      'pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', `${base}.key`, '-out', `${base}.key.enc`,
      '-passout', `pass:${request.keyPassword}`,
    ]);
    renameSync(`${base}.key.enc`, `${base}.key`);
  }
  return { certFile: `${base}.crt`, keyFile: `${base}.key` };
}

/** A PKCS#12 keystore (key, certificate and the authority's) for a Java server. */
export function pkcs12Keystore(
  certificate: IssuedCertificate,
  ca: CertificateAuthority,
  file: string,
  password: string,
): string {
  // prettier-ignore
  openssl([
    'pkcs12', '-export', '-in', certificate.certFile, '-inkey', certificate.keyFile, '-certfile',
    ca.certFile, '-name', 'server', '-out', file, '-passout', `pass:${password}`,
  ]);
  return file;
}

/** The PEM text of a certificate or key file. */
export function pem(file: string): string {
  return readFileSync(file, 'utf8');
}
