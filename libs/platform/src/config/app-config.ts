/**
 * Typed configuration, parsed and validated once from the environment. This is the only module
 * that reads `process.env`; everything else receives an AppConfig. Every problem is listed at once.
 */
import { resolve } from 'node:path';
import type { WatermarkPolicy, YearSpan } from '@hotline/core';
import { z } from 'zod';
import type { KafkaSecurity } from '../kafka/kafka-security';
import type { PostgresConnectionSettings } from '../postgres/postgres-connection';
import { loadConnectionSecurity } from './connection-security';
import { Secret, redactSecrets, resolveSecretFiles } from './secret';
import {
  IDENTITY_PROVIDER_ALGORITHMS,
  type IdentityProviderConfig,
} from '../auth/identity-provider';
import { ROLES, type Role } from '../auth/principal';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const commaList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** `value=role,…`: each role value as the identity provider spells it, and the project's role. */
const roleMap = (defaults: string) =>
  z
    .string()
    .default(defaults)
    .transform((text, ctx) => {
      const roles: Record<string, Role> = {};
      for (const entry of commaList(text)) {
        const at = entry.lastIndexOf('=');
        const value = entry.slice(0, at).trim();
        const role = entry.slice(at + 1).trim() as Role;
        if (at <= 0 || value === '' || !ROLES.includes(role)) {
          ctx.addIssue({
            code: 'custom',
            message: `${JSON.stringify(entry)} is not <value>=${ROLES.join('|')}`,
          });
        } else roles[value] = role;
      }
      return roles;
    });

/** RFC 6749 §3.3: scope tokens are printable ASCII without spaces, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Space-separated (as in `scope=`); commas are read as spaces too. */
const scopeList = z
  .string()
  .default('openid profile')
  .transform((text, ctx) => {
    const scopes = text.split(/[\s,]+/).filter(Boolean);
    for (const scope of scopes.filter((s) => !SCOPE_TOKEN.test(s))) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(scope)} is not a scope` });
    }
    if (scopes.length === 0) ctx.addIssue({ code: 'custom', message: 'names no scope' });
    return [...new Set(scopes)];
  });

/** The codecs a Kafka batch can carry; the Java client's `compression.type` names. */
export const PRODUCER_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type ProducerCompression = (typeof PRODUCER_COMPRESSIONS)[number];

const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  /** The database created and used on the local or embedded server when DATABASE_URL is not set. */
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('hotline'),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:39092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('hotline-supervision'),
  KAFKA_GROUP_ID: z.string().min(1).default('hotline-supervision-worker'),
  EVENTS_TOPIC: z.string().min(1).default('hotline.workorder.events'),
  DLQ_TOPIC: z.string().min(1).default('hotline.workorder.events.dlq'),
  ESCALATIONS_TOPIC: z.string().min(1).default('hotline.supervision.escalations'),
  /**
   * How long the broker waits for a silent member before giving its partitions away: also how long
   * a worker restarted after a crash waits to join (kafkajs has no static membership).
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(10000),
  /** How the worker's own producers (dead letters, escalations) compress their batches. */
  KAFKA_COMPRESSION: z.enum(PRODUCER_COMPRESSIONS).default('lz4'),
  /** Create missing topics at start-up with this many partitions (0: never create, fail instead). */
  KAFKA_CREATE_TOPICS_PARTITIONS: z.coerce.number().int().min(0).default(3),
  INGEST_MAX_BATCH_EVENTS: positiveInt.default(5000),
  INGEST_PARTITIONS_CONCURRENTLY: positiveInt.default(2),
  /**
   * The most bytes of one partition a fetch brings (kafkajs `maxBytesPerPartition`), at most the
   * fetch's own limit (kafkajs `maxBytes`, 10 MiB).
   */
  INGEST_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(65_536)
    .max(10 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  DB_POOL_SIZE: positiveInt.default(6),
  WORKER_PORT: port.default(3001),
  API_PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CONFIG_DIR: z.string().min(1).default('config'),
  CALENDAR_FILE: z.string().min(1).default('calendars/cn-2023-2026.json'),
  /**
   * Years after the calendar's official data computed from the law (statutory holidays, no
   * make-up days) until the year's notice is imported: the calendar never runs out. 0: none.
   */
  CALENDAR_PROVISIONAL_YEARS: z.coerce.number().int().min(0).max(20).default(4),
  RULE_PROFILE_FILE: z.string().min(1).default('rule-profiles/tianjin-default.json'),
  /** The statistics formula (domain.md §5), relative to CONFIG_DIR. */
  STATISTICS_FILE: z.string().min(1).default('statistics.json'),
  /** The calendar's IANA zone: instants are shown with its offset. */
  TIME_ZONE: z.string().min(1).default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  /**
   * Drills and tests only: the worker's clock starts at this instant (RFC 3339 with offset) and
   * runs at real speed, so a year end can be rehearsed before it comes. Unset: the system clock.
   */
  CLOCK_START_AT: z.iso.datetime({ offset: true }).optional(),
  /** Test-only fault injection: the worker SIGKILLs itself after this many database commits. */
  FAULT_KILL_AFTER_DB_COMMIT: positiveInt.optional(),
  /** A `dispatched` to a unit the organisation file does not list: accept (counted) or dead-letter. */
  UNKNOWN_UNITS: z.enum(['accept', 'dead_letter']).default('accept'),
  /** Largest dead-letter send (one record batch), below the broker's message.max.bytes (1 MB). */
  DLQ_MAX_BATCH_BYTES: z.coerce.number().int().min(4096).default(900_000),
  /** A dead letter too large to forward whole: the bytes of its value forwarded as an excerpt. */
  DLQ_EXCERPT_BYTES: z.coerce.number().int().min(0).default(16_384),
  /** Tries of a dead-letter send the broker refuses before the dead letter is parked in PostgreSQL. */
  DLQ_SEND_ATTEMPTS: positiveInt.max(20).default(3),
  /** How often parked dead letters are offered to the broker again. */
  DLQ_PARKED_RETRY_MS: positiveInt.default(30_000),
  /** Longest pause before the consumer is started again after a crash (backoff from 1 s). */
  CONSUMER_RESTART_MAX_MS: positiveInt.default(30_000),
  /** How often the broker is asked for the topic's ends and the group's offsets (lag, reachability). */
  BROKER_PROBE_MS: positiveInt.default(2000),
  /** A partition paused on a batch the worker cannot decompress is tried again after this long. */
  UNREADABLE_BATCH_RETRY_MS: positiveInt.default(30_000),
  ORGANISATION_FILE: z.string().min(1).default('organisation.json'),
  /**
   * Supervision sweep: orders claimed per transaction, and the pause when nothing is due. A burst
   * of 10,000 deadlines went on the topic about a fifth sooner with 1,000 than with 500 (fewer
   * statements and transactions for the same rows); 2,000 gained nothing more.
   */
  SWEEP_BATCH: positiveInt.default(1000),
  SWEEP_IDLE_MS: positiveInt.default(100),
  OUTBOX_BATCH: positiveInt.default(500),
  OUTBOX_IDLE_MS: positiveInt.default(100),
  OUTBOX_RETENTION_DAYS: positiveInt.default(7),
  /** Events of an order with no `dispatched` are dead-lettered after this quiet period. */
  ORPHAN_GRACE_MS: positiveInt.default(86_400_000),
  /** How far a partition's watermark trails its event time (or the wall clock): late arrivals. */
  WATERMARK_LATENESS_MS: z.coerce.number().int().min(0).default(60000),
  /** How many of a partition's latest events its event time is the median of. */
  WATERMARK_WINDOW_EVENTS: positiveInt.max(10_000).default(100),
  /** A partition whose events arrive, in the median, within this long of happening is live. */
  WATERMARK_LIVE_WITHIN_MS: z.coerce.number().int().min(0).default(600_000),
  /** A caught-up partition that has received nothing for this long is idle: the wall clock takes over. */
  WATERMARK_IDLE_MS: positiveInt.default(300_000),
  /** domain.md §4: an escalation not acknowledged within this many working hours moves up. */
  ACKNOWLEDGE_WITHIN_WORKING_HOURS: z.coerce.number().positive().default(4),
  /** domain.md §4: an overdue order still open this many working days after its deadline → level 3. */
  OVERDUE_TOP_LEVEL_AFTER_WORKING_DAYS: z.coerce.number().positive().default(1),
  /** `production` makes JWT_SECRET mandatory; anything else allows the development secret. */
  NODE_ENV: z.string().default('development'),
  /** HS256 key of the API's bearer tokens: at least 32 characters (RFC 7518 §3.2: ≥ 256 bits). */
  JWT_SECRET: z.string().min(32).optional(),
  /** Slack for clock differences with a token's issuer, on `exp`, `nbf` and `iat`. */
  TOKEN_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** The longest a bearer token may live (`exp − iat`); longer ones, and tokens without `exp`, are refused. */
  TOKEN_MAX_LIFETIME_SECONDS: positiveInt.default(43_200),
  /** The street's OpenID Connect identity provider: the exact `iss` of its tokens. Unset: local tokens only. */
  OIDC_ISSUER: z.string().url().optional(),
  /** Comma-separated: a provider token's `aud` must name one of them. */
  OIDC_AUDIENCE: z.string().optional(),
  /** The provider's JWKS. Unset: `jwks_uri` from `<OIDC_ISSUER>/.well-known/openid-configuration`. */
  OIDC_JWKS_URL: z.string().url().optional(),
  OIDC_ALGORITHMS: z
    .string()
    .default('RS256,ES256')
    .transform(commaList)
    .pipe(z.array(z.enum(IDENTITY_PROVIDER_ALGORITHMS)).min(1)),
  /** Least time between two fetches of the JWKS (a token with an unknown `kid` asks for one). */
  OIDC_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Where the provider's tokens carry subject, role(s) and unit: claim names or dotted paths. */
  OIDC_SUBJECT_CLAIM: z.string().min(1).default('sub'),
  OIDC_ROLE_CLAIM: z.string().min(1).default('roles'),
  OIDC_UNIT_CLAIM: z.string().min(1).default('unit_id'),
  OIDC_ROLE_MAP: roleMap('leader=leader,supervisor=supervisor,unit=unit'),
  /** The console's client at the provider (authorization code + PKCE). Unset: tokens are pasted. */
  OIDC_CLIENT_ID: z
    .string()
    .regex(/^[\x20-\x7e]{1,200}$/, 'printable ASCII, at most 200 characters')
    .optional(),
  /** A confidential client's secret (client_secret_post). Unset: a public client, PKCE alone. */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** What the console asks the provider for. */
  OIDC_SCOPES: scopeList,
  /** The years a request to the API may name (months, days, ranges); outside: 400. */
  API_YEAR_MIN: z.coerce.number().int().min(1).max(9999).default(2000),
  API_YEAR_MAX: z.coerce.number().int().min(1).max(9999).default(2100),
  /** The API's fixed rate-limit window and the requests allowed in it per bearer token and per client address; 0: no limit. */
  API_RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  API_RATE_LIMIT_PER_TOKEN: z.coerce.number().int().min(0).default(1200),
  API_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(2400),
  /** Reverse proxies in front of the API whose X-Forwarded-For is believed (the client address is the one before them). */
  API_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** One line per API request (method, path, known query parameters, status, time, subject); tokens and personal data never. */
  API_ACCESS_LOG: z.enum(['true', 'false']).default('true'),
  /** The notifier (apps/notifier): its HTTP port and consumer group on the escalations topic. */
  NOTIFIER_PORT: port.default(3002),
  NOTIFIER_GROUP_ID: z.string().min(1).default('hotline-supervision-notifier'),
  /** The notices' Chinese templates, relative to CONFIG_DIR. */
  NOTIFICATION_TEMPLATES_FILE: z.string().min(1).default('notification-templates.json'),
  /** Deliveries claimed per round, and the pause when none is due. */
  NOTIFIER_BATCH: positiveInt.max(1000).default(100),
  NOTIFIER_IDLE_MS: positiveInt.default(500),
  /** A claimed delivery whose sender died is tried again after this long (the duplicate window). */
  NOTIFIER_LEASE_MS: positiveInt.default(60_000),
  /** How long a channel may take to answer one request. */
  NOTIFIER_HTTP_TIMEOUT_MS: positiveInt.default(10_000),
  /** Backoff after a failed attempt: base·2^(n−1), at most max. */
  NOTIFIER_RETRY_BASE_MS: positiveInt.default(5_000),
  NOTIFIER_RETRY_MAX_MS: positiveInt.default(600_000),
  /** The channels' rate-limit window (the robots: 20 requests a minute). */
  NOTIFIER_RATE_WINDOW_MS: positiveInt.default(60_000),
  /** Changes older than this (event time against the clock) are not sent: a replay notifies nobody. 0: no limit. */
  NOTIFIER_MAX_CHANGE_AGE_HOURS: z.coerce.number().min(0).default(72),
});

/**
 * The bearer-token key used when JWT_SECRET is unset outside production, so `npm run demo` and
 * `npm run token` work out of the box. Public by design: never accepted with NODE_ENV=production.
 */
export const DEVELOPMENT_JWT_SECRET = 'hotline-development-only-jwt-secret-never-use-in-production';

export interface AppConfig {
  databaseUrl: string | undefined;
  databaseName: string;
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    sessionTimeoutMs: number;
    compression: ProducerCompression;
    createTopicsPartitions: number;
    /** TLS and SASL towards the brokers (KAFKA_TLS*, KAFKA_SASL*). */
    security: KafkaSecurity;
    topics: { events: string; deadLetter: string; escalations: string };
  };
  ingest: { maxBatchEvents: number; partitionsConcurrently: number; maxBytesPerPartition: number };
  db: {
    poolSize: number;
    migrateOnStart: boolean;
    /** TLS and the password for DATABASE_URL's server (DATABASE_SSL_*, DATABASE_PASSWORD). */
    connection: PostgresConnectionSettings;
  };
  http: { host: string; workerPort: number; apiPort: number };
  files: {
    configDir: string;
    calendar: string;
    ruleProfile: string;
    statistics: string;
    organisation: string;
  };
  calendar: { provisionalYears: number };
  /** Where the worker's clock starts (CLOCK_START_AT); undefined: the system clock. */
  clockStartAt: Date | undefined;
  timeZone: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  faults: { killAfterDbCommit: number | undefined };
  /** What the worker does with input it cannot use and faults it must outlive. */
  resilience: {
    unknownUnits: 'accept' | 'dead_letter';
    deadLetters: {
      maxBatchBytes: number;
      excerptBytes: number;
      sendAttempts: number;
      parkedRetryMs: number;
    };
    consumerRestartMaxMs: number;
    brokerProbeMs: number;
    unreadableBatchRetryMs: number;
  };
  auth: {
    /** Null only with NODE_ENV=production and no JWT_SECRET: the API refuses to start (requireJwtSecret). */
    jwtSecret: string | null;
    /** True when JWT_SECRET was not set and the public development secret is in use. */
    usingDevelopmentSecret: boolean;
    clockToleranceSeconds: number;
    maxTokenLifetimeSeconds: number;
    /** Null: only the local HS256 tokens are accepted. */
    identityProvider: IdentityProviderConfig | null;
  };
  api: {
    /** Months and days a request may name. */
    yearSpan: YearSpan;
    /** Requests per window per bearer token and per client address; 0: that limit is off. */
    rateLimit: { windowMs: number; perToken: number; perAddress: number };
    trustedProxies: number;
    accessLog: boolean;
  };
  notifier: {
    port: number;
    groupId: string;
    templatesFile: string;
    batch: number;
    idleMs: number;
    leaseMs: number;
    httpTimeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    rateWindowMs: number;
    /** 0: no limit. */
    maxChangeAgeHours: number;
  };
  supervision: {
    sweepBatch: number;
    sweepIdleMs: number;
    outboxBatch: number;
    outboxIdleMs: number;
    outboxRetentionDays: number;
    /** Each partition's event-time watermark (libs/core watermark-policy). */
    watermark: WatermarkPolicy;
    orphanGraceMs: number;
    acknowledgeWithinWorkingHours: number;
    overdueToTopLevelAfterWorkingDays: number;
  };
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parses an environment (defaults to process.env) into AppConfig, or throws ConfigError listing every problem. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof z.infer<typeof envSchema>, string>> = {},
): AppConfig {
  // Secrets given as NAME_FILE are read first, so the rules below see them like any value.
  const secrets = resolveSecretFiles({ ...env, ...overrides });
  const security = loadConnectionSecurity(secrets.env);
  const parsed = envSchema
    .superRefine((e, ctx) => {
      if (e.NODE_ENV === 'production' && e.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'the development secret is not accepted when NODE_ENV=production',
        });
      }
      if (e.OIDC_ISSUER !== undefined && commaList(e.OIDC_AUDIENCE ?? '').length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_AUDIENCE'],
          message: 'required with OIDC_ISSUER',
        });
      }
      if (e.OIDC_CLIENT_ID !== undefined && e.OIDC_ISSUER === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_CLIENT_ID'],
          message: 'needs OIDC_ISSUER: the identity provider the console signs in with',
        });
      }
      if (e.OIDC_CLIENT_SECRET !== undefined && e.OIDC_CLIENT_ID === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_CLIENT_SECRET'],
          message: 'is set without OIDC_CLIENT_ID (the client whose secret it is)',
        });
      }
      // Keys fetched over plain HTTP could be anyone's: the provider is reached over TLS in production.
      for (const name of ['OIDC_ISSUER', 'OIDC_JWKS_URL'] as const) {
        if (e.NODE_ENV === 'production' && e[name]?.startsWith('https://') === false) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'must be https:// when NODE_ENV=production',
          });
        }
      }
      if (e.API_YEAR_MIN > e.API_YEAR_MAX) {
        ctx.addIssue({
          code: 'custom',
          path: ['API_YEAR_MAX'],
          message: `must not be before API_YEAR_MIN (${e.API_YEAR_MIN})`,
        });
      }
      // A shifted clock would judge every deadline at the wrong time: rehearsals only.
      if (e.NODE_ENV === 'production' && e.CLOCK_START_AT !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['CLOCK_START_AT'],
          message: 'a shifted clock is for drills and tests only, not when NODE_ENV=production',
        });
      }
    })
    .safeParse(secrets.env);
  const problems = [
    ...secrets.problems,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({
          setting: issue.path.join('.'),
          message: issue.message,
        }))),
    ...security.problems,
  ].map(({ setting, message }) => redactSecrets(`${setting}: ${message}`, secrets.values));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const configDir = resolve(e.CONFIG_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    databaseName: e.DATABASE_NAME,
    kafka: {
      brokers: e.KAFKA_BROKERS.split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      clientId: e.KAFKA_CLIENT_ID,
      groupId: e.KAFKA_GROUP_ID,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      compression: e.KAFKA_COMPRESSION,
      createTopicsPartitions: e.KAFKA_CREATE_TOPICS_PARTITIONS,
      security: security.value.kafka,
      topics: { events: e.EVENTS_TOPIC, deadLetter: e.DLQ_TOPIC, escalations: e.ESCALATIONS_TOPIC },
    },
    ingest: {
      maxBatchEvents: e.INGEST_MAX_BATCH_EVENTS,
      partitionsConcurrently: e.INGEST_PARTITIONS_CONCURRENTLY,
      maxBytesPerPartition: e.INGEST_MAX_BYTES_PER_PARTITION,
    },
    db: {
      poolSize: e.DB_POOL_SIZE,
      migrateOnStart: e.MIGRATE_ON_START === 'true',
      connection: security.value.postgres,
    },
    http: { host: e.HOST, workerPort: e.WORKER_PORT, apiPort: e.API_PORT },
    files: {
      configDir,
      calendar: resolve(configDir, e.CALENDAR_FILE),
      ruleProfile: resolve(configDir, e.RULE_PROFILE_FILE),
      statistics: resolve(configDir, e.STATISTICS_FILE),
      organisation: resolve(configDir, e.ORGANISATION_FILE),
    },
    supervision: {
      sweepBatch: e.SWEEP_BATCH,
      sweepIdleMs: e.SWEEP_IDLE_MS,
      outboxBatch: e.OUTBOX_BATCH,
      outboxIdleMs: e.OUTBOX_IDLE_MS,
      outboxRetentionDays: e.OUTBOX_RETENTION_DAYS,
      watermark: {
        latenessMs: e.WATERMARK_LATENESS_MS,
        windowEvents: e.WATERMARK_WINDOW_EVENTS,
        liveWithinMs: e.WATERMARK_LIVE_WITHIN_MS,
        idleAfterMs: e.WATERMARK_IDLE_MS,
      },
      orphanGraceMs: e.ORPHAN_GRACE_MS,
      acknowledgeWithinWorkingHours: e.ACKNOWLEDGE_WITHIN_WORKING_HOURS,
      overdueToTopLevelAfterWorkingDays: e.OVERDUE_TOP_LEVEL_AFTER_WORKING_DAYS,
    },
    calendar: { provisionalYears: e.CALENDAR_PROVISIONAL_YEARS },
    clockStartAt: e.CLOCK_START_AT === undefined ? undefined : new Date(e.CLOCK_START_AT),
    timeZone: e.TIME_ZONE,
    logLevel: e.LOG_LEVEL,
    faults: { killAfterDbCommit: e.FAULT_KILL_AFTER_DB_COMMIT },
    resilience: {
      unknownUnits: e.UNKNOWN_UNITS,
      deadLetters: {
        maxBatchBytes: e.DLQ_MAX_BATCH_BYTES,
        excerptBytes: e.DLQ_EXCERPT_BYTES,
        sendAttempts: e.DLQ_SEND_ATTEMPTS,
        parkedRetryMs: e.DLQ_PARKED_RETRY_MS,
      },
      consumerRestartMaxMs: e.CONSUMER_RESTART_MAX_MS,
      brokerProbeMs: e.BROKER_PROBE_MS,
      unreadableBatchRetryMs: e.UNREADABLE_BATCH_RETRY_MS,
    },
    auth: {
      jwtSecret: e.JWT_SECRET ?? (production ? null : DEVELOPMENT_JWT_SECRET),
      usingDevelopmentSecret: e.JWT_SECRET === undefined && !production,
      clockToleranceSeconds: e.TOKEN_CLOCK_TOLERANCE_SECONDS,
      maxTokenLifetimeSeconds: e.TOKEN_MAX_LIFETIME_SECONDS,
      identityProvider:
        e.OIDC_ISSUER === undefined
          ? null
          : {
              issuer: e.OIDC_ISSUER,
              audience: commaList(e.OIDC_AUDIENCE ?? ''),
              jwksUrl: e.OIDC_JWKS_URL ?? null,
              algorithms: e.OIDC_ALGORITHMS,
              jwksCooldownSeconds: e.OIDC_JWKS_COOLDOWN_SECONDS,
              claims: {
                subjectClaim: e.OIDC_SUBJECT_CLAIM,
                roleClaim: e.OIDC_ROLE_CLAIM,
                unitClaim: e.OIDC_UNIT_CLAIM,
                roles: e.OIDC_ROLE_MAP,
              },
              client:
                e.OIDC_CLIENT_ID === undefined
                  ? null
                  : {
                      clientId: e.OIDC_CLIENT_ID,
                      clientSecret:
                        e.OIDC_CLIENT_SECRET === undefined
                          ? null
                          : new Secret(e.OIDC_CLIENT_SECRET),
                      scopes: e.OIDC_SCOPES,
                    },
            },
    },
    api: {
      yearSpan: { fromYear: e.API_YEAR_MIN, toYear: e.API_YEAR_MAX },
      rateLimit: {
        windowMs: e.API_RATE_LIMIT_WINDOW_MS,
        perToken: e.API_RATE_LIMIT_PER_TOKEN,
        perAddress: e.API_RATE_LIMIT_PER_ADDRESS,
      },
      trustedProxies: e.API_TRUSTED_PROXIES,
      accessLog: e.API_ACCESS_LOG === 'true',
    },
    notifier: {
      port: e.NOTIFIER_PORT,
      groupId: e.NOTIFIER_GROUP_ID,
      templatesFile: resolve(configDir, e.NOTIFICATION_TEMPLATES_FILE),
      batch: e.NOTIFIER_BATCH,
      idleMs: e.NOTIFIER_IDLE_MS,
      leaseMs: e.NOTIFIER_LEASE_MS,
      httpTimeoutMs: e.NOTIFIER_HTTP_TIMEOUT_MS,
      retryBaseMs: e.NOTIFIER_RETRY_BASE_MS,
      retryMaxMs: e.NOTIFIER_RETRY_MAX_MS,
      rateWindowMs: e.NOTIFIER_RATE_WINDOW_MS,
      maxChangeAgeHours: e.NOTIFIER_MAX_CHANGE_AGE_HOURS,
    },
  };
}

/**
 * The bearer-token key, for the roles that need one (the API, `npm run token`): in production it
 * must be configured; the worker never asks, so it runs without it.
 */
export function requireJwtSecret(config: AppConfig): string {
  if (config.auth.jwtSecret === null) {
    throw new ConfigError(['JWT_SECRET: required when NODE_ENV=production']);
  }
  return config.auth.jwtSecret;
}
