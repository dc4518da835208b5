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
