import { ENV_DEFAULTS, applyMemoryDefaultsToServe, relaunchPlan } from './memory-defaults';

const launch = (over: { execArgv?: string[]; env?: Record<string, string | undefined> } = {}) => ({
  execPath: '/usr/bin/node',
  execArgv: over.execArgv ?? [],
  argv: ['/usr/bin/node', '/app/dist/apps/cli/src/main.js', 'serve'],
  env: over.env ?? { PATH: '/usr/bin', AUTHTRAIL_DATA_DIR: '/data' },
});

describe('serve memory defaults', () => {
  it('relaunches the same script and arguments with the flag first and the defaults added to the environment', () => {
    const plan = relaunchPlan(launch({ execArgv: ['--cpu-prof'] }));
    expect(plan).not.toBeNull();
    expect(plan!.args).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=8',
      '--cpu-prof',
      '/app/dist/apps/cli/src/main.js',
      'serve',
    ]);
    expect(plan!.env).toEqual({ PATH: '/usr/bin', AUTHTRAIL_DATA_DIR: '/data', ...ENV_DEFAULTS });
  });

  it('is a no-op once relaunched: the plan of the relaunched process is null (no loop)', () => {
    const first = relaunchPlan(launch())!;
    const again = relaunchPlan({
      execPath: '/usr/bin/node',
      execArgv: first.args.slice(1, 2),
      argv: ['/usr/bin/node', ...first.args.slice(2)],
      env: first.env,
    });
    expect(again).toBeNull();
  });

  it('keeps what the user set: their variables and their semi-space size (argv or NODE_OPTIONS)', () => {
    const env = { MALLOC_ARENA_MAX: '4' };
    const plan = relaunchPlan(launch({ execArgv: ['--max-semi-space-size=32'], env }))!;
    expect(plan.args).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=32',
      '/app/dist/apps/cli/src/main.js',
      'serve',
    ]);
    expect(plan.env).toMatchObject({
      MALLOC_ARENA_MAX: '4',
      MALLOC_MMAP_THRESHOLD_: '65536',
    });
    expect(
      relaunchPlan(launch({ env: { ...ENV_DEFAULTS, NODE_OPTIONS: '--max-semi-space-size=64' } })),
    ).toBeNull();
  });

  it('applies to serve only', () => {
    const execve = jest.spyOn(process, 'execve').mockImplementation(() => undefined as never);
    try {
      applyMemoryDefaultsToServe(['/usr/bin/node', 'main.js', 'report', 'audit-events']);
      applyMemoryDefaultsToServe(['/usr/bin/node', 'main.js']);
      expect(execve).not.toHaveBeenCalled();
    } finally {
      execve.mockRestore();
    }
  });
});
