import type { ClickHouseExecutor } from './clickhouse-executor';
import { ClickHouseProjectionWriter } from './clickhouse-projection-writer.adapter';
import { ClickHouseCheckpointStore } from './clickhouse-checkpoint-store.adapter';
import { migrateReadModel, readModelSettings } from './clickhouse-read-model';
import {
  ClickHouseEngine,
  REPLICA_NAME,
  REPLICA_PATH,
  RETIRED,
  TABLES,
  TENANT_TABLES,
  migrations,
  schemaStatements,
} from './clickhouse-schema';

const retentionDays = { sspr: 365, mfa: 90 };
const CLUSTER = 'authtrail_cluster';
const SETUPS: readonly { engine: ClickHouseEngine; cluster: string | null }[] = [
  { engine: 'plain', cluster: null },
  { engine: 'plain', cluster: CLUSTER },
  { engine: 'replicated', cluster: null },
  { engine: 'replicated', cluster: CLUSTER },
];

/** `ENGINE = …` of a CREATE TABLE, up to the end of its line. */
const engineOf = (statement: string): string | null =>
  /\) (ENGINE = [^\n]+)/.exec(statement)?.[1] ?? null;

/** The name a DDL statement acts on, and what follows it (where ON CLUSTER must stand). */
const afterName = (statement: string): string => {
  const m =
    /^(?:CREATE (?:DATABASE|TABLE|MATERIALIZED VIEW) IF NOT EXISTS|DROP (?:TABLE|VIEW) IF EXISTS|DELETE FROM|TRUNCATE TABLE IF EXISTS|INSERT INTO) (\S+?)(?= |\(|$)(.*)/s.exec(
      statement,
    );
  if (!m) throw new Error(`not a statement this test knows: ${statement.slice(0, 60)}`);
  return m[2];
};

/** A migration's fill: data, not DDL, so no ON CLUSTER (the replicated table shares the rows). */
const isFill = (statement: string): boolean => statement.startsWith('INSERT INTO');

/** Every statement the read model sends as a command, from creating the tables to resetting them. */
async function commandsOf(
  engine: ClickHouseEngine,
  cluster: string | null,
  applied: string[] = [],
): Promise<string[]> {
  const commands: string[] = [];
  const executor: ClickHouseExecutor = {
    command: (sql) => Promise.resolve(void commands.push(sql)),
    insert: () => Promise.resolve(),
    // The only query of a migration: the migrations already recorded.
    query: <T>() => Promise.resolve(applied.map((name) => ({ name }) as T)),
    close: () => Promise.resolve(),
  };
  const settings = readModelSettings({ engine, cluster, retentionDays });
  await migrateReadModel(executor, settings);
  const model = new ClickHouseProjectionWriter(executor, settings);
  await model.eraseSubject({
    tenantId: 'acme',
    subjectId: 's1',
    erasedAt: new Date(),
    position: 1,
  });
  await model.deleteTenant({ tenantId: 'acme', deletedAt: new Date(), position: 2 });
  await model.reset();
  await new ClickHouseCheckpointStore(executor, settings).reset('projector');
  return commands;
}

describe('ClickHouse schema DDL', () => {
  describe.each(SETUPS)('$engine tables, cluster $cluster', ({ engine, cluster }) => {
    const statements = schemaStatements({ database: 'authtrail', engine, cluster, retentionDays });

    const steps = migrations({ database: 'authtrail', engine, cluster }).flatMap(
      (m) => m.statements,
    );

    it('every statement carries ON CLUSTER right after the name exactly when a cluster is set', () => {
      expect(statements.length).toBeGreaterThan(10);
      for (const s of [...statements, ...steps.filter((s) => !isFill(s))]) {
        const rest = afterName(s);
        if (cluster === null) expect(s).not.toContain('ON CLUSTER');
        else expect(rest.startsWith(` ON CLUSTER ${cluster}`)).toBe(true);
      }
    });

    it('every table has an engine of the configured family', () => {
      const tables = statements.filter((s) => s.startsWith('CREATE TABLE'));
      const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
      // Every entry of TABLES is a table or one of the three materialized views.
      expect(views).toHaveLength(3);
      expect(tables).toHaveLength(Object.keys(TABLES).length - views.length);
      for (const s of tables) {
        const clause = engineOf(s);
        expect(clause).not.toBeNull();
        if (engine === 'plain') {
          expect(clause).toMatch(
            /^ENGINE = (Replacing|Aggregating)MergeTree(\((position|version)\))?$/,
          );
        } else {
          expect(clause).toMatch(
            /^ENGINE = Replicated(Replacing|Aggregating)MergeTree\('[^']+', '[^']+'(, (position|version))?\)$/,
          );
          expect(clause).toContain(`('${REPLICA_PATH}', '${REPLICA_NAME}'`);
        }
      }
    });

    it('every statement the read model sends (tables, migrations, erasure, tenant deletion, reset) follows the setup', async () => {
      const commands = await commandsOf(engine, cluster);
      // Creating the tables, the migrations of a database that has none recorded, one
      // erasure (1 delete), one tenant deletion, one reset.
      expect(commands).toHaveLength(
        statements.length + steps.length + 1 + TENANT_TABLES.length + TENANT_TABLES.length + 2,
      );
      expect(commands.slice(0, statements.length)).toEqual(statements);
      expect(commands.slice(statements.length, statements.length + steps.length)).toEqual(steps);
      for (const c of commands) {
        const rest = afterName(c);
        if (cluster === null || isFill(c)) expect(c).not.toContain('ON CLUSTER');
        else expect(rest.startsWith(` ON CLUSTER ${cluster}`)).toBe(true);
        if (engine === 'plain') expect(c).not.toContain('Replicated');
      }
    });

    it('runs no migration already recorded', async () => {
      const recorded = migrations({ database: 'authtrail' }).map((m) => m.name);
      const commands = await commandsOf(engine, cluster, recorded);
      expect(commands.slice(0, statements.length)).toEqual(statements);
      expect(commands.filter((c) => isFill(c) || c.startsWith('DROP'))).toEqual([]);
    });
  });

  it('replicated tables are the plain ones with the Keeper path and replica first, the version column kept', () => {
    const plain = schemaStatements({ database: 'authtrail', retentionDays });
    const replicated = schemaStatements({
      database: 'authtrail',
      engine: 'replicated',
      cluster: CLUSTER,
      retentionDays,
    });
    expect(replicated).toHaveLength(plain.length);
    const unreplicate = (s: string): string =>
      s
        .replace(` ON CLUSTER ${CLUSTER}`, '')
        .replace(
          /ENGINE = Replicated(\w+)\('[^']+', '[^']+'(?:, (\w+))?\)/,
          (_m, family: string, version?: string) =>
            `ENGINE = ${family}${version ? `(${version})` : ''}`,
        );
    replicated.forEach((s, i) => expect(unreplicate(s)).toBe(plain[i]));
    // The deduplicating tables that keep the newest row by version still do.
    expect(replicated.filter((s) => s.includes("'{replica}', position)"))).toHaveLength(4);
  });

  it('retires the old registration state: its view stops before the fill, its table goes after', () => {
    const [registrations] = migrations({ database: 'authtrail' });
    expect(registrations.statements).toEqual([
      `DROP VIEW IF EXISTS authtrail.${RETIRED.registrationView}`,
      expect.stringMatching(
        new RegExp(
          `^INSERT INTO authtrail\\.${TABLES.registrations} SELECT .*\\sWHERE type = 'sspr\\.Registered'$`,
          's',
        ),
      ),
      `DROP TABLE IF EXISTS authtrail.${RETIRED.registrationState}`,
    ]);
    // The fill selects what the view selects, so old and new rows are alike.
    const view = schemaStatements({ database: 'authtrail', retentionDays }).find((s) =>
      s.includes(`VIEW IF NOT EXISTS authtrail.${TABLES.registrationsView}`),
    );
    expect(view?.slice(view.indexOf(' AS\n') + 4)).toBe(
      registrations.statements[1].slice(`INSERT INTO authtrail.${TABLES.registrations} `.length),
    );
  });

  it('the default is the embedded engine’s plain tables without ON CLUSTER', () => {
    const statements = schemaStatements({ database: 'authtrail', retentionDays });
    expect(statements.join('\n')).not.toMatch(/Replicated|ON CLUSTER/);
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS authtrail');
  });

  it('refuses a cluster name that is no identifier', () => {
    expect(() =>
      readModelSettings({ engine: 'replicated', cluster: 'c; DROP DATABASE authtrail' }),
    ).toThrow('invalid cluster name');
    expect(() =>
      schemaStatements({ database: 'authtrail', cluster: 'c x', retentionDays }),
    ).toThrow('invalid cluster name');
  });
});
