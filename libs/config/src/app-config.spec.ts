import { ConfigError, loadConfig, parseDuration, redactConfig } from './app-config';

describe('loadConfig', () => {
  it('runs the embedded default with no configuration at all', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.dataDir).toBe('/srv/app/data');
    expect(c.port).toBe(8080);
    expect(c.eventStore).toEqual({ kind: 'sqlite', file: '/srv/app/data/events.db' });
    expect(c.keyVault).toEqual({ kind: 'sqlite', file: '/srv/app/data/vault.db' });
    expect(c.clickhouseUrl).toBeNull();
    expect(c.clickhouseEngine).toBe('plain');
    expect(c.clickhouseCluster).toBeNull();
    expect(c.masterKeyFile).toBe('/srv/app/data/master.key');
    expect(c.tenantDeletionGraceMs).toBe(7 * 86_400_000);
    expect(c.ingest).toMatchObject({ maxEvents: 1000, maxBodyBytes: 5 * 1024 * 1024 });
    expect(c.retention).toEqual({ mfaDays: 90, ssprDays: 365 });
    expect(c.apiNice).toBe(10);
    expect(loadConfig({ AUTHTRAIL_API_NICE: '0' }).apiNice).toBe(0);
  });

  it.each([
    ['AUTHTRAIL_PORT', 'eighty'],
    ['AUTHTRAIL_PORT', '70000'],
    ['AUTHTRAIL_EVENT_STORE', 'mysql://x'],
    ['AUTHTRAIL_KEY_VAULT', 'redis://x'],
    ['AUTHTRAIL_MASTER_KEY', 'c2hvcnQ='],
    ['AUTHTRAIL_CLICKHOUSE_URL', 'ftp://ch'],
    ['AUTHTRAIL_KAFKA_BROKERS', 'localhost'],
    ['AUTHTRAIL_TENANT_DELETION_GRACE', 'a week'],
    ['AUTHTRAIL_LOG_LEVEL', 'loud'],
    ['AUTHTRAIL_SIEM_IDENTITY', 'maybe'],
    ['AUTHTRAIL_BOOTSTRAP_KEY', 'short'],
    ['AUTHTRAIL_RETENTION_MFA_DAYS', '0'],
    ['AUTHTRAIL_RETENTION_SSPR_DAYS', 'a year'],
    ['AUTHTRAIL_API_NICE', '20'],
    ['AUTHTRAIL_API_NICE', '-5'],
  ])('stops on a bad %s and names it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toContain(name);
  });

  it('takes production wiring from the environment', () => {
    const c = loadConfig({
      AUTHTRAIL_EVENT_STORE: 'esdb://es:2113?tls=false',
      AUTHTRAIL_KEY_VAULT: 'postgres://u:secret@db/vault',
      AUTHTRAIL_CLICKHOUSE_URL: 'http://ch:8123',
      AUTHTRAIL_KAFKA_BROKERS: 'k1:9092, k2:9092',
      AUTHTRAIL_TENANT_DELETION_GRACE: '0',
    });
    expect(c.eventStore).toEqual({ kind: 'esdb', url: 'esdb://es:2113?tls=false' });
    expect(c.keyVault.kind).toBe('postgres');
    expect(c.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.tenantDeletionGraceMs).toBe(0);
    expect(JSON.stringify(redactConfig(c))).not.toContain('secret');
  });

  describe('alerts', () => {
    const secret = 'k'.repeat(32);
    it('are on by default, without webhooks', () => {
      expect(loadConfig({}).alerts).toEqual({
        enabled: true,
        webhooks: [],
        webhookSecret: null,
        webhookMaxAttempts: 10,
      });
    });

    it('take webhooks with their secret, and never show either', () => {
      const c = loadConfig({
        AUTHTRAIL_ALERT_WEBHOOKS: 'https://siem.example/hooks/T0K3N, http://127.0.0.1:9000/a',
        AUTHTRAIL_ALERT_WEBHOOK_SECRET: secret,
        AUTHTRAIL_ALERT_WEBHOOK_MAX_ATTEMPTS: '5',
        AUTHTRAIL_ALERTS: 'off',
      });
      expect(c.alerts).toEqual({
        enabled: false,
        webhooks: ['https://siem.example/hooks/T0K3N', 'http://127.0.0.1:9000/a'],
        webhookSecret: secret,
        webhookMaxAttempts: 5,
      });
      const shown = JSON.stringify(redactConfig(c));
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain('T0K3N');
      expect(shown).toContain('https://siem.example/***');
    });

    it.each([
      [{ AUTHTRAIL_ALERT_WEBHOOKS: 'https://a.example/h' }, 'AUTHTRAIL_ALERT_WEBHOOK_SECRET'],
      [
        {
          AUTHTRAIL_ALERT_WEBHOOKS: 'https://a.example/h',
          AUTHTRAIL_ALERT_WEBHOOK_SECRET: 'short',
        },
        'AUTHTRAIL_ALERT_WEBHOOK_SECRET',
      ],
      [
        { AUTHTRAIL_ALERT_WEBHOOKS: 'ftp://a.example/h', AUTHTRAIL_ALERT_WEBHOOK_SECRET: secret },
        'AUTHTRAIL_ALERT_WEBHOOKS',
      ],
      [
        { AUTHTRAIL_ALERT_WEBHOOKS: 'not a url', AUTHTRAIL_ALERT_WEBHOOK_SECRET: secret },
        'AUTHTRAIL_ALERT_WEBHOOKS',
      ],
      [{ AUTHTRAIL_ALERT_WEBHOOK_MAX_ATTEMPTS: '0' }, 'AUTHTRAIL_ALERT_WEBHOOK_MAX_ATTEMPTS'],
      [{ AUTHTRAIL_ALERTS: 'sometimes' }, 'AUTHTRAIL_ALERTS'],
    ])('refuses %j naming %s', (env, name) => {
      expect(() => loadConfig(env)).toThrow(expect.objectContaining({ variable: name }));
    });
  });

  describe('ClickHouse table engines', () => {
    const server = { AUTHTRAIL_CLICKHOUSE_URL: 'http://ch:8123' };

    it('takes plain or replicated tables and a cluster for ON CLUSTER DDL', () => {
      expect(loadConfig(server)).toMatchObject({
        clickhouseEngine: 'plain',
        clickhouseCluster: null,
      });
      expect(loadConfig({ ...server, AUTHTRAIL_CLICKHOUSE_ENGINE: 'replicated' })).toMatchObject({
        clickhouseEngine: 'replicated',
        clickhouseCluster: null,
      });
      expect(
        loadConfig({
          ...server,
          AUTHTRAIL_CLICKHOUSE_ENGINE: 'replicated',
          AUTHTRAIL_CLICKHOUSE_CLUSTER: 'authtrail_cluster',
        }),
      ).toMatchObject({ clickhouseEngine: 'replicated', clickhouseCluster: 'authtrail_cluster' });
    });

    it.each([
      [
        'an unknown engine',
        { ...server, AUTHTRAIL_CLICKHOUSE_ENGINE: 'sharded' },
        'AUTHTRAIL_CLICKHOUSE_ENGINE',
        'plain or replicated',
      ],
      [
        'replicated tables on the embedded engine',
        { AUTHTRAIL_CLICKHOUSE_ENGINE: 'replicated' },
        'AUTHTRAIL_CLICKHOUSE_ENGINE',
        'AUTHTRAIL_CLICKHOUSE_URL',
      ],
      [
        'a cluster name that is no identifier',
        {
          ...server,
          AUTHTRAIL_CLICKHOUSE_ENGINE: 'replicated',
          AUTHTRAIL_CLICKHOUSE_CLUSTER: 'c1; DROP TABLE x',
        },
        'AUTHTRAIL_CLICKHOUSE_CLUSTER',
        'letters, digits',
      ],
      [
        'a cluster on the embedded engine',
        { AUTHTRAIL_CLICKHOUSE_CLUSTER: 'c1' },
        'AUTHTRAIL_CLICKHOUSE_CLUSTER',
        'AUTHTRAIL_CLICKHOUSE_URL',
      ],
      [
        'a cluster of plain tables',
        { ...server, AUTHTRAIL_CLICKHOUSE_CLUSTER: 'c1' },
        'AUTHTRAIL_CLICKHOUSE_CLUSTER',
        'AUTHTRAIL_CLICKHOUSE_ENGINE=replicated',
      ],
    ])('refuses %s at start and names the variable', (_case, env, variable, hint) => {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
      expect((error as Error).message).toContain(hint);
    });
  });

  it('parses durations', () => {
    expect(parseDuration('X', '30s')).toBe(30_000);
    expect(parseDuration('X', '12h')).toBe(43_200_000);
    expect(parseDuration('X', '250ms')).toBe(250);
    expect(parseDuration('X', '5')).toBe(5000);
  });
});

describe('Entra sources', () => {
  const load = (env: Record<string, string>) => loadConfig(env, '/srv/app');
  const named = (env: Record<string, string>): string => {
    try {
      load(env);
    } catch (e) {
      return (e as ConfigError).variable;
    }
    return 'none';
  };

  it('is off by default, importing into the default tenant', () => {
    expect(load({}).entra).toEqual({ tenantId: 'default', kafka: null, graph: null });
  });

  it('reads the Event Hubs Kafka endpoint with SASL PLAIN, TLS on with SASL and Event Hubs defaults', () => {
    const c = load({
      AUTHTRAIL_ENTRA_TENANT: 'acme',
      AUTHTRAIL_ENTRA_KAFKA_BROKERS: 'contoso-ns.servicebus.windows.net:9093',
      AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD: 'Endpoint=sb://contoso-ns/;SharedAccessKey=s3cret',
    });
    expect(c.entra.tenantId).toBe('acme');
    expect(c.entra.kafka).toEqual({
      brokers: ['contoso-ns.servicebus.windows.net:9093'],
      topic: 'insights-logs-auditlogs',
      groupId: 'authtrail-entra',
      ssl: true,
      sasl: {
        username: '$ConnectionString',
        password: 'Endpoint=sb://contoso-ns/;SharedAccessKey=s3cret',
      },
    });
    expect(JSON.stringify(redactConfig(c))).not.toContain('s3cret');
    expect(
      load({
        AUTHTRAIL_ENTRA_KAFKA_BROKERS: '127.0.0.1:9092',
        AUTHTRAIL_ENTRA_KAFKA_TOPIC: 'audit',
      }).entra.kafka,
    ).toMatchObject({ ssl: false, sasl: null, topic: 'audit' });
  });

  it('names the variable of a bad or incomplete Kafka setting', () => {
    expect(named({ AUTHTRAIL_ENTRA_KAFKA_BROKERS: 'no-port' })).toBe(
      'AUTHTRAIL_ENTRA_KAFKA_BROKERS',
    );
    expect(named({ AUTHTRAIL_ENTRA_KAFKA_TOPIC: 'audit' })).toBe('AUTHTRAIL_ENTRA_KAFKA_TOPIC');
    expect(
      named({ AUTHTRAIL_ENTRA_KAFKA_BROKERS: 'h:9093', AUTHTRAIL_ENTRA_KAFKA_SASL_USERNAME: 'u' }),
    ).toBe('AUTHTRAIL_ENTRA_KAFKA_SASL_PASSWORD');
    expect(
      named({ AUTHTRAIL_ENTRA_KAFKA_BROKERS: 'h:9093', AUTHTRAIL_ENTRA_KAFKA_TOPIC: 'a b' }),
    ).toBe('AUTHTRAIL_ENTRA_KAFKA_TOPIC');
    expect(named({ AUTHTRAIL_ENTRA_TENANT: 'Not A Tenant' })).toBe('AUTHTRAIL_ENTRA_TENANT');
  });

  it('reads the Graph app registration, with Microsoft endpoints and a 5-minute poll by default', () => {
    const c = load({
      AUTHTRAIL_ENTRA_GRAPH_TENANT_ID: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_ID: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET: 'graph-s3cret',
      AUTHTRAIL_ENTRA_GRAPH_LOOKBACK: '30d',
    });
    expect(c.entra.graph).toEqual({
      directoryTenantId: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
      clientId: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
      clientSecret: 'graph-s3cret',
      graphUrl: 'https://graph.microsoft.com',
      loginUrl: 'https://login.microsoftonline.com',
      intervalMs: 300_000,
      lookbackMs: 30 * 86_400_000,
      overlapMs: 900_000,
    });
    expect(JSON.stringify(redactConfig(c))).not.toContain('graph-s3cret');
  });

  it('names the missing or bad Graph variable', () => {
    const full = {
      AUTHTRAIL_ENTRA_GRAPH_TENANT_ID: 'contoso.onmicrosoft.com',
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_ID: 'id',
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET: 's',
    };
    expect(named(full)).toBe('none');
    expect(named({ ...full, AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET: '' })).toBe(
      'AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET',
    );
    expect(named({ ...full, AUTHTRAIL_ENTRA_GRAPH_TENANT_ID: 'not a tenant' })).toBe(
      'AUTHTRAIL_ENTRA_GRAPH_TENANT_ID',
    );
    expect(named({ ...full, AUTHTRAIL_ENTRA_GRAPH_URL: 'ftp://x' })).toBe(
      'AUTHTRAIL_ENTRA_GRAPH_URL',
    );
    expect(named({ ...full, AUTHTRAIL_ENTRA_GRAPH_INTERVAL: '500ms' })).toBe(
      'AUTHTRAIL_ENTRA_GRAPH_INTERVAL',
    );
    expect(named({ AUTHTRAIL_ENTRA_GRAPH_INTERVAL: '1m' })).toBe('AUTHTRAIL_ENTRA_GRAPH_INTERVAL');
  });
});
