import {
  LazyClickHouseExecutor,
  ReadModelUnavailableError,
  type ClickHouseExecutor,
} from './clickhouse-executor';

function recordingExecutor(calls: string[]): ClickHouseExecutor {
  return {
    query: <T>(sql: string) => {
      calls.push(`query ${sql}`);
      return Promise.resolve([] as T[]);
    },
    insert: (table) => Promise.resolve(void calls.push(`insert ${table}`)),
    command: (sql) => Promise.resolve(void calls.push(`command ${sql}`)),
    close: () => Promise.resolve(void calls.push('close')),
  };
}

describe('LazyClickHouseExecutor', () => {
  it('opens ClickHouse at the first call, once, and closes what it opened', async () => {
    const calls: string[] = [];
    let opens = 0;
    const lazy = new LazyClickHouseExecutor(() => {
      opens += 1;
      return Promise.resolve(recordingExecutor(calls));
    });
    expect(lazy.isOpen).toBe(false);
    expect(opens).toBe(0);
    await Promise.all([lazy.query('SELECT 1'), lazy.command('OPTIMIZE t')]);
    await lazy.insert('db.t', [{ a: 1 }]);
    expect(opens).toBe(1);
    expect(calls).toEqual(['query SELECT 1', 'command OPTIMIZE t', 'insert db.t']);
    await lazy.close();
    expect(calls[calls.length - 1]).toBe('close');
    expect(lazy.isOpen).toBe(false);
  });

  it('never opens for an app that does not use it, nor for an empty insert', async () => {
    let opens = 0;
    const lazy = new LazyClickHouseExecutor(() => {
      opens += 1;
      return Promise.resolve(recordingExecutor([]));
    });
    await lazy.insert('db.t', []);
    await lazy.close();
    expect(opens).toBe(0);
  });

  it('reports a failed open as retriable and tries again at the next call', async () => {
    let opens = 0;
    const lazy = new LazyClickHouseExecutor(() => {
      opens += 1;
      return opens === 1
        ? Promise.reject(new Error('Cannot lock file /data/clickhouse/status'))
        : Promise.resolve(recordingExecutor([]));
    });
    const failed = await lazy.query('SELECT 1').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ReadModelUnavailableError);
    expect((failed as ReadModelUnavailableError).retriable).toBe(true);
    await expect(lazy.query('SELECT 1')).resolves.toEqual([]);
    expect(opens).toBe(2);
  });
});
