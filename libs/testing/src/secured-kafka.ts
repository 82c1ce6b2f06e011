/**
 * A second local Kafka broker (the project's jars from scripts/kafka.sh, KRaft, one node) whose only
 * client listener is SASL_SSL, as production clusters are: a certificate authority and the broker's
 * certificate made for the run, SCRAM-SHA-512 users written into the metadata log when the storage
 * is formatted (`kafka-storage format --add-scram`), mutual TLS optional. Its own ports and folder;
 * the controller listener stays plaintext on the loopback. `stop()` ends it and removes the folder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Secret } from '@hotline/platform/config';
import { createKafka, type Kafka, type KafkaSecurity } from '@hotline/platform/kafka';
import {
  createCertificateAuthority,
  issueCertificate,
  pem,
  pkcs12Keystore,
  type CertificateAuthority,
} from './tls-certificates';
import type { KafkaTarget } from './worker-environment';
import { localKafka } from './local-kafka';
import { freePort } from './worker-process';

const JVM = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

export interface SecuredKafkaOptions {
  /** The broker requires a client certificate signed by its authority. Default true. */
  mutualTls?: boolean;
  /** Default 90 000 ms. */
  startTimeoutMs?: number;
}

export interface SecuredKafka {
  brokers: string[];
  /** The folder of the certificates, keys, configuration, data and log. */
  dir: string;
  ca: CertificateAuthority;
  /** The application's SCRAM-SHA-512 user. */
  username: string;
  password: string;
  /** The worker's settings for this broker, the password in a file (KAFKA_SASL_PASSWORD_FILE). */
  env: Record<string, string>;
  security: KafkaSecurity;
  client(role: string): Kafka;
  /** For createWorkerEnvironment: topics on this broker, the worker pointed at it. */
  target(): KafkaTarget;
  log(): string;
  stop(): Promise<void>;
}

/** Starts the broker and waits until it accepts an authenticated client. */
export async function startSecuredKafka(options: SecuredKafkaOptions = {}): Promise<SecuredKafka> {
  const { lib, loggingOption } = localKafka();
  const mutualTls = options.mutualTls ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'hotline-secured-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const ca = createCertificateAuthority(dir, 'kafka-ca');
  const server = issueCertificate(ca, dir, {
    name: 'broker',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const client = issueCertificate(ca, dir, { name: 'client' });
  const storePassword = randomBytes(12).toString('hex');
  const brokerPassword = randomBytes(12).toString('hex');
  const username = 'hotline';
  const password = `scram-${randomBytes(12).toString('hex')}`;
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    serverProperties({
      port,
      controllerPort,
      dataDir: join(dir, 'data'),
      keystore: pkcs12Keystore(server, ca, join(dir, 'broker.p12'), storePassword),
      storePassword,
      truststore: ca.certFile,
      brokerPassword,
      mutualTls,
    }),
  );
  const java = { lib, options: [...JVM, loggingOption] };
  await formatStorage(java, properties, [
    `SCRAM-SHA-512=[name=broker,password=${brokerPassword}]`,
    `SCRAM-SHA-512=[name=${username},password=${password}]`,
  ]);
  const logFile = join(dir, 'broker.log');
  const child = spawnBroker(java, properties, logFile);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = () => stopBroker(child).then(() => rmSync(dir, { recursive: true, force: true }));
  const brokers = [`127.0.0.1:${port}`];
  const passwordFile = join(dir, 'sasl-password');
  writeFileSync(passwordFile, `${password}\n`);
  const security: KafkaSecurity = {
    tls: {
      ca: pem(ca.certFile),
      caFile: ca.certFile,
      ...(mutualTls ? { cert: pem(client.certFile), key: pem(client.keyFile) } : {}),
    },
    sasl: { mechanism: 'scram-sha-512', username, password: new Secret(password) },
  };
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TLS: 'true',
    KAFKA_TLS_CA_FILE: ca.certFile,
    ...(mutualTls
      ? { KAFKA_TLS_CERT_FILE: client.certFile, KAFKA_TLS_KEY_FILE: client.keyFile }
      : {}),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
  };
  const clientOf = (role: string) =>
    createKafka({ brokers, clientId: `test-secured-${role}`, retries: 5, security });
  try {
    await waitUntilReady(child, clientOf('probe'), log, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    brokers,
    dir,
    ca,
    username,
    password,
    env,
    security,
    client: clientOf,
    target: () => ({ kafka: clientOf('admin'), env }),
    log,
    stop,
  };
}

interface PropertiesInput {
  port: number;
  controllerPort: number;
  dataDir: string;
  keystore: string;
  storePassword: string;
  truststore: string;
  brokerPassword: string;
  mutualTls: boolean;
}

/** The project's single-node settings (infra/kafka/server.properties.template) on SASL_SSL. */
function serverProperties(p: PropertiesInput): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${p.controllerPort}`,
    `listeners=SASL_SSL://127.0.0.1:${p.port},CONTROLLER://127.0.0.1:${p.controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${p.port}`,
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    'controller.listener.names=CONTROLLER',
    // The broker talks to itself over the same listener, as a SCRAM user of its own.
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${p.brokerPassword}";`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${p.keystore}`,
    `ssl.keystore.password=${p.storePassword}`,
    `ssl.key.password=${p.storePassword}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${p.truststore}`,
    // On a SASL_SSL listener only the listener-prefixed setting applies (KIP-684).
    `listener.name.sasl_ssl.ssl.client.auth=${p.mutualTls ? 'required' : 'none'}`,
    `log.dirs=${p.dataDir}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'log.cleaner.dedupe.buffer.size=16777216',
    '',
  ].join('\n');
}

/** `kafka-storage format` with the SCRAM users: they exist before the broker's first start. */
interface Java {
  lib: string;
  options: string[];
}

async function formatStorage(java: Java, properties: string, scramUsers: string[]): Promise<void> {
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  const args = [
    ...java.options,
    '-cp',
    `${java.lib}/*`,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    properties,
    ...scramUsers.flatMap((user) => ['--add-scram', user]),
  ];
  await promisify(execFile)('java', args, { timeout: 60_000 });
}

function spawnBroker(java: Java, properties: string, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      ...java.options,
      '-Djava.awt.headless=true',
      '-cp',
      `${java.lib}/*`,
      'kafka.Kafka',
      properties,
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  // A test run that dies without afterAll must not leave a broker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

async function waitUntilReady(
  child: ChildProcess,
  kafka: Kafka,
  log: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!log().includes('Kafka Server started')) {
    if (child.exitCode !== null) throw new Error(`the secured broker exited:\n${log()}`);
    if (Date.now() > deadline) throw new Error(`the secured broker did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // Started is not yet serving SCRAM logins to clients: one authenticated request proves it.
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

/** SIGTERM (controlled shutdown), SIGKILL after 15 s. */
async function stopBroker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
