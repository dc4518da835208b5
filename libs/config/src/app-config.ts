import { isAbsolute, join, resolve } from 'node:path';

/**
 * Every setting of authtrail, typed and validated once at start-up. Nothing else reads
 * `process.env`. Defaults run the embedded mode (SQLite + in-process ClickHouse under
 * `./data`) with no configuration at all.
 */
export interface AppConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `sqlite:<file>` (default `<dataDir>/events.db`) or an `esdb://` connection string. */
  readonly eventStore:
    | { readonly kind: 'sqlite'; readonly file: string }
    | { readonly kind: 'esdb'; readonly url: string };
  /** `sqlite:<file>` (default `<dataDir>/vault.db`) or a `postgres://` URL. */
  readonly keyVault:
    | { readonly kind: 'sqlite'; readonly file: string }
    | { readonly kind: 'postgres'; readonly url: string };
  /** Base64 of 32 bytes; wins over the file. */
  readonly masterKey: string | null;
  readonly masterKeyFile: string;
  readonly sealKeyFile: string;
  readonly sealIntervalMs: number;
  /** Used as the bootstrap admin key on first start instead of a random one. */
  readonly bootstrapKey: string | null;
  readonly tenantDeletionGraceMs: number;
  /** null = embedded chdb under `<dataDir>/clickhouse`. */
  readonly clickhouseUrl: string | null;
  readonly clickhousePath: string;
  /**
   * Table engines of the read model: `plain` (`*MergeTree`: chdb or one server) or
   * `replicated` (`Replicated*MergeTree`: a server cluster with Keeper).
   */
  readonly clickhouseEngine: 'plain' | 'replicated';
  /** Cluster for `ON CLUSTER` DDL, so every replica gets the tables; null = none. */
  readonly clickhouseCluster: string | null;
  readonly kafkaBrokers: readonly string[];
  /** Partitions of the topics authtrail creates; replication factor (null = broker default). */
  readonly kafkaPartitions: number;
  readonly kafkaReplicationFactor: number | null;
  readonly siemFile: string | null;
  readonly siemIdentity: boolean;
  /** Live detections (docs/siem.md "Alerts"): to the alerts topic when Kafka is set, and to webhooks. */
  readonly alerts: {
    readonly enabled: boolean;
    readonly webhooks: readonly string[];
    /** HMAC-SHA256 key of the webhook signatures; required with webhooks. */
    readonly webhookSecret: string | null;
    /** Attempts of one webhook delivery before it is parked. */
    readonly webhookMaxAttempts: number;
  };
  /**
   * Retention on `occurredAt` in days (seed 000: MFA 90; seed 003: audit data a year).
   * Privacy, tenant and ledger records are kept; access records follow the longer window.
   */
  readonly retention: { readonly mfaDays: number; readonly ssprDays: number };
  readonly ingest: {
    readonly maxEvents: number;
    readonly maxBodyBytes: number;
    /** How far in the future `occurredAt` may be (clock skew). */
    readonly maxFutureSkewMs: number;
  };
  readonly rateLimit: { readonly perKeyPerSecond: number; readonly burst: number };
  /** Close idle or slow client connections after this long. */
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /**
   * `authtrail serve` runs its workers (projector, forwarder, sealer…) on a thread of their
   * own, which owns the read model's ClickHouse; off, on the API's event loop.
   */
  readonly workersThread: boolean;
  /**
   * With the workers' thread (Linux): the nice value `serve` gives the API's threads (its
   * event loop and the SQLite writer), 0–19, so that on a saturated machine the workers
   * get the CPU they need to keep the reports fresh and ingest takes the rest. 0 leaves
   * them alone; idle cores are used either way.
   */
  readonly apiNice: number;
  /** How long a worker may keep retrying before `/healthz` says `degraded`. */
  readonly healthDegradedAfterMs: number;
  /** OIDC bearer tokens, when an issuer is configured (API keys keep working). */
  readonly oidc: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string | null;
    readonly tenantClaim: string;
    readonly rolesClaim: string;
  } | null;
  /** For CLI commands sent to a running server. */
  readonly cli: { readonly apiKey: string | null; readonly url: string | null };
  /** Reading Microsoft Entra's audit logs (README "Connecting Entra ID"); both off by default. */
  readonly entra: EntraConfig;
}

export interface EntraConfig {
  /** The authtrail tenant the Event Hubs consumer and the Graph poller import into. */
  readonly tenantId: string;
  /** Azure Event Hubs' Kafka endpoint carrying the `AuditLogs` diagnostic export; null = off. */
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly topic: string;
    readonly groupId: string;
    readonly ssl: boolean;
    /** SASL PLAIN; Event Hubs: username `$ConnectionString`, password the connection string. */
    readonly sasl: { readonly username: string; readonly password: string } | null;
  } | null;
  /** Microsoft Graph `auditLogs/directoryAudits` with an app registration; null = off. */
  readonly graph: {
    readonly directoryTenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly graphUrl: string;
    readonly loginUrl: string;
    readonly intervalMs: number;
    /** First poll: how far back to start (Entra keeps 7 days on Free, 30 on P1/P2). */
    readonly lookbackMs: number;
    /** Each poll starts this much before the checkpoint: records that arrive late are not lost. */
    readonly overlapMs: number;
  } | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const MIB = 1024 * 1024;

/**
 * Every variable the configuration reads; the README's Configuration table lists the same
 * (a unit test compares them). Reading one not listed here throws, so the list stays whole.
 */
export const CONFIG_VARIABLES = [
  'AUTHTRAIL_DATA_DIR',
  'AUTHTRAIL_PORT',
  'AUTHTRAIL_HOST',
  'AUTHTRAIL_LOG_LEVEL',
  'AUTHTRAIL_EVENT_STORE',
  'AUTHTRAIL_KEY_VAULT',
  'AUTHTRAIL_MASTER_KEY',
  'AUTHTRAIL_MASTER_KEY_FILE',
  'AUTHTRAIL_BOOTSTRAP_KEY',
  'AUTHTRAIL_TENANT_DELETION_GRACE',
  'AUTHTRAIL_CLICKHOUSE_URL',
  'AUTHTRAIL_CLICKHOUSE_PATH',
  'AUTHTRAIL_CLICKHOUSE_ENGINE',
  'AUTHTRAIL_CLICKHOUSE_CLUSTER',
  'AUTHTRAIL_KAFKA_BROKERS',
  'AUTHTRAIL_KAFKA_PARTITIONS',
  'AUTHTRAIL_KAFKA_REPLICATION_FACTOR',
  'AUTHTRAIL_SIEM_FILE',
  'AUTHTRAIL_SIEM_IDENTITY',
  'AUTHTRAIL_ALERTS',
  'AUTHTRAIL_ALERT_WEBHOOKS',
  'AUTHTRAIL_ALERT_WEBHOOK_SECRET',
  'AUTHTRAIL_ALERT_WEBHOOK_MAX_ATTEMPTS',
  'AUTHTRAIL_SEAL_KEY_FILE',
  'AUTHTRAIL_SEAL_INTERVAL_MS',
  'AUTHTRAIL_RETENTION_MFA_DAYS',
  'AUTHTRAIL_RETENTION_SSPR_DAYS',
  'AUTHTRAIL_MAX_BATCH_EVENTS',
  'AUTHTRAIL_MAX_BODY_BYTES',
  'AUTHTRAIL_RATE_LIMIT_PER_SECOND',
  'AUTHTRAIL_RATE_LIMIT_BURST',
  'AUTHTRAIL_REQUEST_TIMEOUT',
  'AUTHTRAIL_SHUTDOWN_TIMEOUT',
  'AUTHTRAIL_WORKERS_THREAD',
  'AUTHTRAIL_API_NICE',
  'AUTHTRAIL_HEALTH_DEGRADED_AFTER',
  'AUTHTRAIL_OIDC_ISSUER',
  'AUTHTRAIL_OIDC_AUDIENCE',
  'AUTHTRAIL_OIDC_JWKS_URL',
  'AUTHTRAIL_OIDC_TENANT_CLAIM',
  'AUTHTRAIL_OIDC_ROLES_CLAIM',
  'AUTHTRAIL_API_KEY',
  'AUTHTRAIL_URL',
  'AUTHTRAIL_ENTRA_TENANT',
  'AUTHTRAIL_ENTRA_KAFKA_BROKERS',
  'AUTHTRAIL_ENTRA_KAFKA_TOPIC',
  'AUTHTRAIL_ENTRA_KAFKA_GROUP',
  'AUTHTRAIL_ENTRA_KAFKA_SASL_USERNAME',
  'AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD',
  'AUTHTRAIL_ENTRA_KAFKA_SSL',
  'AUTHTRAIL_ENTRA_GRAPH_TENANT_ID',
  'AUTHTRAIL_ENTRA_GRAPH_CLIENT_ID',
  'AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET',
  'AUTHTRAIL_ENTRA_GRAPH_INTERVAL',
  'AUTHTRAIL_ENTRA_GRAPH_LOOKBACK',
  'AUTHTRAIL_ENTRA_GRAPH_OVERLAP',
  'AUTHTRAIL_ENTRA_GRAPH_URL',
  'AUTHTRAIL_ENTRA_GRAPH_LOGIN_URL',
] as const;

const KNOWN: ReadonlySet<string> = new Set(CONFIG_VARIABLES);

/**
 * Read by the test tooling, never by authtrail itself: `AUTHTRAIL_TEST_*` (the store under
 * test, the PostgreSQL of the integration tier, …), and two knobs of `npm` scripts.
 */
const TOOLING = (name: string): boolean =>
  name.startsWith('AUTHTRAIL_TEST_') ||
  name === 'AUTHTRAIL_WRITE_DOCS' ||
  name === 'AUTHTRAIL_FUZZ_REQUESTS';

/** Optimal string alignment distance: a swapped pair (PROT/PORT) costs one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The valid variable nearest to a misspelt one. */
export function closestVariable(name: string): string {
  let best: string = CONFIG_VARIABLES[0];
  let bestDistance = Infinity;
  for (const v of CONFIG_VARIABLES) {
    const distance = editDistance(name, v);
    if (distance < bestDistance) [best, bestDistance] = [v, distance];
  }
  return best;
}

/**
 * A misspelt variable would otherwise be ignored and its default used: AUTHTRAIL_PROT
 * would serve on 8080 while the operator believes otherwise. Unknown names stop the start.
 */
function refuseUnknown(env: Env): void {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('AUTHTRAIL_') || KNOWN.has(name) || TOOLING(name)) continue;
    throw new ConfigError(
      name,
      `unknown variable: did you mean ${closestVariable(name)}? (every variable: README, Configuration)`,
    );
  }
}

function str(env: Env, name: string): string | null {
  if (!KNOWN.has(name))
    throw new Error(`${name} is read but not in CONFIG_VARIABLES: add it there and to the README`);
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === null) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `expected a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name);
  if (v === null) return fallback;
  const lower = v.toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(lower)) return true;
  if (['0', 'false', 'off', 'no'].includes(lower)) return false;
  throw new ConfigError(name, `expected on/off, got "${v}"`);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `0`, `500ms`, `30s`, `15m`, `12h`, `7d`; a bare number is seconds. */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (!m)
    throw new ConfigError(name, `expected a duration like 0, 30s, 15m, 12h or 7d, got "${value}"`);
  return Number(m[1]) * DURATION_UNITS[m[2] ?? 's'];
}

function duration(env: Env, name: string, fallbackMs: number): number {
  const v = str(env, name);
  return v === null ? fallbackMs : parseDuration(name, v);
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const v = str(env, name);
  if (v === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, 'not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
  }
  return v;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the whole configuration; throws `ConfigError` naming the variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  refuseUnknown(env);
  const dataDir = resolve(cwd, str(env, 'AUTHTRAIL_DATA_DIR') ?? 'data');
  const inData = (p: string): string => (isAbsolute(p) ? p : join(dataDir, p));

  const logLevel = (str(env, 'AUTHTRAIL_LOG_LEVEL') ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('AUTHTRAIL_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const es = str(env, 'AUTHTRAIL_EVENT_STORE');
  let eventStore: AppConfig['eventStore'];
  if (es === null) eventStore = { kind: 'sqlite', file: inData('events.db') };
  else if (es.startsWith('sqlite:'))
    eventStore = { kind: 'sqlite', file: inData(es.slice('sqlite:'.length)) };
  else if (
    es.startsWith('esdb://') ||
    es.startsWith('esdb+discover://') ||
    es.startsWith('kurrentdb://')
  ) {
    eventStore = { kind: 'esdb', url: es };
  } else
    throw new ConfigError(
      'AUTHTRAIL_EVENT_STORE',
      'expected sqlite:<file> or an esdb:// connection string',
    );

  const kv = str(env, 'AUTHTRAIL_KEY_VAULT');
  let keyVault: AppConfig['keyVault'];
  if (kv === null) keyVault = { kind: 'sqlite', file: inData('vault.db') };
  else if (kv.startsWith('sqlite:'))
    keyVault = { kind: 'sqlite', file: inData(kv.slice('sqlite:'.length)) };
  else if (kv.startsWith('postgres://') || kv.startsWith('postgresql://')) {
    url(env, 'AUTHTRAIL_KEY_VAULT', ['postgres:', 'postgresql:']);
    keyVault = { kind: 'postgres', url: kv };
  } else
    throw new ConfigError('AUTHTRAIL_KEY_VAULT', 'expected sqlite:<file> or a postgres:// URL');

  const masterKey = str(env, 'AUTHTRAIL_MASTER_KEY');
  if (masterKey !== null && Buffer.from(masterKey, 'base64').length !== 32) {
    throw new ConfigError('AUTHTRAIL_MASTER_KEY', 'expected base64 of exactly 32 bytes');
  }
  const bootstrapKey = str(env, 'AUTHTRAIL_BOOTSTRAP_KEY');
  if (bootstrapKey !== null && bootstrapKey.length < 24) {
    throw new ConfigError('AUTHTRAIL_BOOTSTRAP_KEY', 'must be at least 24 characters');
  }

  const brokers = str(env, 'AUTHTRAIL_KAFKA_BROKERS');
  const kafkaBrokers =
    brokers === null
      ? []
      : brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean);
  for (const b of kafkaBrokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b))
      throw new ConfigError('AUTHTRAIL_KAFKA_BROKERS', `expected host:port, got "${b}"`);
  }

  const siemFile = str(env, 'AUTHTRAIL_SIEM_FILE');
  const clickhouseUrl = url(env, 'AUTHTRAIL_CLICKHOUSE_URL', ['http:', 'https:']);

  return {
    dataDir,
    host: str(env, 'AUTHTRAIL_HOST') ?? '0.0.0.0',
    port: int(env, 'AUTHTRAIL_PORT', 8080, 0, 65535),
    logLevel,
    eventStore,
    keyVault,
    masterKey,
    masterKeyFile: inData(str(env, 'AUTHTRAIL_MASTER_KEY_FILE') ?? 'master.key'),
    sealKeyFile: inData(str(env, 'AUTHTRAIL_SEAL_KEY_FILE') ?? 'seal.key'),
    sealIntervalMs: int(env, 'AUTHTRAIL_SEAL_INTERVAL_MS', 5000, 100, 86_400_000),
    bootstrapKey,
    tenantDeletionGraceMs: duration(env, 'AUTHTRAIL_TENANT_DELETION_GRACE', 7 * 86_400_000),
    clickhouseUrl,
    clickhousePath: inData(str(env, 'AUTHTRAIL_CLICKHOUSE_PATH') ?? 'clickhouse'),
    ...clickhouseTables(env, clickhouseUrl),
    kafkaBrokers,
    kafkaPartitions: int(env, 'AUTHTRAIL_KAFKA_PARTITIONS', 6, 1, 1000),
    kafkaReplicationFactor:
      str(env, 'AUTHTRAIL_KAFKA_REPLICATION_FACTOR') === null
        ? null
        : int(env, 'AUTHTRAIL_KAFKA_REPLICATION_FACTOR', 1, 1, 16),
    siemFile: siemFile === null ? null : resolve(cwd, siemFile),
    siemIdentity: bool(env, 'AUTHTRAIL_SIEM_IDENTITY', true),
    alerts: alertsConfig(env),
    retention: {
      mfaDays: int(env, 'AUTHTRAIL_RETENTION_MFA_DAYS', 90, 1, 3650),
      ssprDays: int(env, 'AUTHTRAIL_RETENTION_SSPR_DAYS', 365, 1, 3650),
    },
    ingest: {
      maxEvents: int(env, 'AUTHTRAIL_MAX_BATCH_EVENTS', 1000, 1, 1000),
      maxBodyBytes: int(env, 'AUTHTRAIL_MAX_BODY_BYTES', 5 * MIB, 1024, 5 * MIB),
      maxFutureSkewMs: 5 * 60_000,
    },
    rateLimit: {
      perKeyPerSecond: int(env, 'AUTHTRAIL_RATE_LIMIT_PER_SECOND', 200, 1, 1_000_000),
      burst: int(env, 'AUTHTRAIL_RATE_LIMIT_BURST', 400, 1, 1_000_000),
    },
    requestTimeoutMs: duration(env, 'AUTHTRAIL_REQUEST_TIMEOUT', 30_000),
    shutdownTimeoutMs: duration(env, 'AUTHTRAIL_SHUTDOWN_TIMEOUT', 10_000),
    workersThread: bool(env, 'AUTHTRAIL_WORKERS_THREAD', true),
    apiNice: int(env, 'AUTHTRAIL_API_NICE', 10, 0, 19),
    healthDegradedAfterMs: duration(env, 'AUTHTRAIL_HEALTH_DEGRADED_AFTER', 60_000),
    oidc: oidcConfig(env),
    cli: {
      apiKey: str(env, 'AUTHTRAIL_API_KEY'),
      url: url(env, 'AUTHTRAIL_URL', ['http:', 'https:']),
    },
    entra: entraConfig(env),
  };
}

function alertsConfig(env: Env): AppConfig['alerts'] {
  const list = str(env, 'AUTHTRAIL_ALERT_WEBHOOKS');
  const webhooks =
    list === null
      ? []
      : list
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
  for (const u of webhooks) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new ConfigError('AUTHTRAIL_ALERT_WEBHOOKS', 'expected comma-separated http(s) URLs');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new ConfigError(
        'AUTHTRAIL_ALERT_WEBHOOKS',
        `expected http(s) URLs, got ${parsed.protocol}`,
      );
  }
  const secret = str(env, 'AUTHTRAIL_ALERT_WEBHOOK_SECRET');
  if (webhooks.length > 0 && secret === null)
    throw new ConfigError(
      'AUTHTRAIL_ALERT_WEBHOOK_SECRET',
      'required with AUTHTRAIL_ALERT_WEBHOOKS: the key receivers check the signature with',
    );
  if (secret !== null && secret.length < 32)
    throw new ConfigError('AUTHTRAIL_ALERT_WEBHOOK_SECRET', 'must be at least 32 characters');
  return {
    enabled: bool(env, 'AUTHTRAIL_ALERTS', true),
    webhooks,
    webhookSecret: secret,
    webhookMaxAttempts: int(env, 'AUTHTRAIL_ALERT_WEBHOOK_MAX_ATTEMPTS', 10, 1, 100),
  };
}

/** Tenant ids as the tenancy lib accepts them (lower-case letters, digits, `_`). */
const TENANT_ID = /^[a-z0-9][a-z0-9_]{0,62}$/;
/** An Entra (Azure AD) directory id is a GUID, or a verified domain name. */
const DIRECTORY_ID =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9.-]+\.[a-z]{2,})$/i;

function entraConfig(env: Env): EntraConfig {
  const tenantId = str(env, 'AUTHTRAIL_ENTRA_TENANT') ?? 'default';
  if (!TENANT_ID.test(tenantId))
    throw new ConfigError('AUTHTRAIL_ENTRA_TENANT', `not a tenant id: "${tenantId}"`);
  return { tenantId, kafka: entraKafka(env), graph: entraGraph(env) };
}

function entraKafka(env: Env): EntraConfig['kafka'] {
  const list = str(env, 'AUTHTRAIL_ENTRA_KAFKA_BROKERS');
  const password = str(env, 'AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD');
  const username = str(env, 'AUTHTRAIL_ENTRA_KAFKA_SASL_USERNAME');
  if (list === null) {
    for (const name of [
      'AUTHTRAIL_ENTRA_KAFKA_TOPIC',
      'AUTHTRAIL_ENTRA_KAFKA_GROUP',
      'AUTHTRAIL_ENTRA_KAFKA_SASL_USERNAME',
      'AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD',
      'AUTHTRAIL_ENTRA_KAFKA_SSL',
    ])
      if (str(env, name) !== null)
        throw new ConfigError(
          name,
          'needs AUTHTRAIL_ENTRA_KAFKA_BROKERS (the Event Hubs namespace, host:9093)',
        );
    return null;
  }
  const brokers = list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers)
    if (!/^[^\s:]+:\d{1,5}$/.test(b))
      throw new ConfigError('AUTHTRAIL_ENTRA_KAFKA_BROKERS', `expected host:port, got "${b}"`);
  if (username !== null && password === null)
    throw new ConfigError(
      'AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD',
      'missing: SASL PLAIN needs a password (for Event Hubs the namespace connection string)',
    );
  const topic = str(env, 'AUTHTRAIL_ENTRA_KAFKA_TOPIC') ?? 'insights-logs-auditlogs';
  // Kafka topic names: https://kafka.apache.org/documentation/#topicconfigs (legal characters).
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic))
    throw new ConfigError('AUTHTRAIL_ENTRA_KAFKA_TOPIC', `not a topic name: "${topic}"`);
  const groupId = str(env, 'AUTHTRAIL_ENTRA_KAFKA_GROUP') ?? 'authtrail-entra';
  const sasl = password === null ? null : { username: username ?? '$ConnectionString', password };
  return {
    brokers,
    topic,
    groupId,
    // Event Hubs accepts SASL only over TLS; without SASL (a plain test broker) TLS is off.
    ssl: bool(env, 'AUTHTRAIL_ENTRA_KAFKA_SSL', sasl !== null),
    sasl,
  };
}

function entraGraph(env: Env): EntraConfig['graph'] {
  const names = [
    'AUTHTRAIL_ENTRA_GRAPH_TENANT_ID',
    'AUTHTRAIL_ENTRA_GRAPH_CLIENT_ID',
    'AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET',
  ] as const;
  const [directoryTenantId, clientId, clientSecret] = names.map((n) => str(env, n));
  if (directoryTenantId === null && clientId === null && clientSecret === null) {
    for (const name of [
      'AUTHTRAIL_ENTRA_GRAPH_URL',
      'AUTHTRAIL_ENTRA_GRAPH_LOGIN_URL',
      'AUTHTRAIL_ENTRA_GRAPH_INTERVAL',
      'AUTHTRAIL_ENTRA_GRAPH_LOOKBACK',
      'AUTHTRAIL_ENTRA_GRAPH_OVERLAP',
    ])
      if (str(env, name) !== null)
        throw new ConfigError(
          name,
          'needs the Graph app registration (AUTHTRAIL_ENTRA_GRAPH_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET)',
        );
    return null;
  }
  names.forEach((name, i) => {
    if ([directoryTenantId, clientId, clientSecret][i] === null)
      throw new ConfigError(
        name,
        'missing: the Graph poller needs the directory tenant id, client id and client secret',
      );
  });
  if (!DIRECTORY_ID.test(directoryTenantId!))
    throw new ConfigError(
      'AUTHTRAIL_ENTRA_GRAPH_TENANT_ID',
      'expected the directory (tenant) id: a GUID or a domain',
    );
  const trim = (u: string): string => u.replace(/\/+$/, '');
  const graphUrl = url(env, 'AUTHTRAIL_ENTRA_GRAPH_URL', ['https:', 'http:']);
  const loginUrl = url(env, 'AUTHTRAIL_ENTRA_GRAPH_LOGIN_URL', ['https:', 'http:']);
  const intervalMs = duration(env, 'AUTHTRAIL_ENTRA_GRAPH_INTERVAL', 5 * 60_000);
  if (intervalMs < 1000)
    throw new ConfigError('AUTHTRAIL_ENTRA_GRAPH_INTERVAL', 'must be at least 1s');
  return {
    directoryTenantId: directoryTenantId!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    graphUrl: trim(graphUrl ?? 'https://graph.microsoft.com'),
    loginUrl: trim(loginUrl ?? 'https://login.microsoftonline.com'),
    intervalMs,
    lookbackMs: duration(env, 'AUTHTRAIL_ENTRA_GRAPH_LOOKBACK', 7 * 86_400_000),
    overlapMs: duration(env, 'AUTHTRAIL_ENTRA_GRAPH_OVERLAP', 15 * 60_000),
  };
}

/**
 * Engine family and cluster of the read model's tables. Both need a ClickHouse server: the
 * embedded engine (chdb) is one process with no Keeper and no cluster.
 */
function clickhouseTables(
  env: Env,
  clickhouseUrl: string | null,
): Pick<AppConfig, 'clickhouseEngine' | 'clickhouseCluster'> {
  const engine = str(env, 'AUTHTRAIL_CLICKHOUSE_ENGINE') ?? 'plain';
  if (engine !== 'plain' && engine !== 'replicated')
    throw new ConfigError(
      'AUTHTRAIL_CLICKHOUSE_ENGINE',
      `expected plain or replicated, got "${engine}"`,
    );
  if (engine === 'replicated' && clickhouseUrl === null)
    throw new ConfigError(
      'AUTHTRAIL_CLICKHOUSE_ENGINE',
      'replicated tables need a ClickHouse server cluster: set AUTHTRAIL_CLICKHOUSE_URL (the embedded engine is one process)',
    );
  const cluster = str(env, 'AUTHTRAIL_CLICKHOUSE_CLUSTER');
  if (cluster === null) return { clickhouseEngine: engine, clickhouseCluster: null };
  // Spliced into DDL as an identifier (ON CLUSTER <name>), never as a value.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    throw new ConfigError(
      'AUTHTRAIL_CLICKHOUSE_CLUSTER',
      `expected a cluster name of letters, digits and _, got "${cluster}"`,
    );
  if (clickhouseUrl === null)
    throw new ConfigError(
      'AUTHTRAIL_CLICKHOUSE_CLUSTER',
      'ON CLUSTER needs a ClickHouse server: set AUTHTRAIL_CLICKHOUSE_URL (the embedded engine has no cluster)',
    );
  // Plain tables created on every server would each hold only the rows sent to that
  // server: reports would depend on which one answers.
  if (engine === 'plain')
    throw new ConfigError(
      'AUTHTRAIL_CLICKHOUSE_CLUSTER',
      'a cluster needs AUTHTRAIL_CLICKHOUSE_ENGINE=replicated (plain tables on several servers do not share rows)',
    );
  return { clickhouseEngine: engine, clickhouseCluster: cluster };
}

const OIDC_SETTINGS = [
  'AUTHTRAIL_OIDC_AUDIENCE',
  'AUTHTRAIL_OIDC_JWKS_URL',
  'AUTHTRAIL_OIDC_TENANT_CLAIM',
  'AUTHTRAIL_OIDC_ROLES_CLAIM',
] as const;

function oidcConfig(env: Env): AppConfig['oidc'] {
  const issuer = url(env, 'AUTHTRAIL_OIDC_ISSUER', ['https:', 'http:']);
  if (issuer === null) {
    // Without an issuer OIDC is off: a setting of it would be silently ignored.
    const stray = OIDC_SETTINGS.find((name) => str(env, name) !== null);
    if (stray !== undefined)
      throw new ConfigError(stray, 'has no effect without AUTHTRAIL_OIDC_ISSUER (OIDC is off)');
    return null;
  }
  return {
    issuer,
    audience: str(env, 'AUTHTRAIL_OIDC_AUDIENCE') ?? 'authtrail',
    jwksUrl: url(env, 'AUTHTRAIL_OIDC_JWKS_URL', ['https:', 'http:']),
    tenantClaim: str(env, 'AUTHTRAIL_OIDC_TENANT_CLAIM') ?? 'authtrail_tenant',
    rolesClaim: str(env, 'AUTHTRAIL_OIDC_ROLES_CLAIM') ?? 'authtrail_roles',
  };
}

export const APP_CONFIG = Symbol('AppConfig');

/** Redacted view for logs and diagnostics: secrets and credentials in URLs removed. */
export function redactConfig(config: AppConfig): Record<string, unknown> {
  const hideUrlSecret = (u: string): string => u.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    ...config,
    masterKey: config.masterKey === null ? null : '***',
    bootstrapKey: config.bootstrapKey === null ? null : '***',
    cli: { apiKey: config.cli.apiKey === null ? null : '***', url: config.cli.url },
    eventStore:
      config.eventStore.kind === 'esdb'
        ? { kind: 'esdb', url: hideUrlSecret(config.eventStore.url) }
        : config.eventStore,
    keyVault:
      config.keyVault.kind === 'postgres'
        ? { kind: 'postgres', url: hideUrlSecret(config.keyVault.url) }
        : config.keyVault,
    clickhouseUrl: config.clickhouseUrl === null ? null : hideUrlSecret(config.clickhouseUrl),
    // A webhook URL may carry its receiver's token in the path or query: origins only.
    alerts: {
      ...config.alerts,
      webhooks: config.alerts.webhooks.map((u) => `${new URL(u).origin}/***`),
      webhookSecret: config.alerts.webhookSecret === null ? null : '***',
    },
    entra: {
      ...config.entra,
      kafka:
        config.entra.kafka === null
          ? null
          : {
              ...config.entra.kafka,
              sasl:
                config.entra.kafka.sasl === null
                  ? null
                  : { username: config.entra.kafka.sasl.username, password: '***' },
            },
      graph: config.entra.graph === null ? null : { ...config.entra.graph, clientSecret: '***' },
    },
  };
}
