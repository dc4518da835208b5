// Layer rules of STYLE.md, checked in CI (`npm run lint`).
// - domain is pure: no NestJS, no drivers, no I/O, no other layer.
// - application may use domain, not infrastructure.
// - vendor clients live only in infrastructure adapter folders.
// - libs are imported by their @authtrail/<lib> alias (index.ts), never by deep path.
// - apps are never imported by libs.
const drivers =
  '^(better-sqlite3|pg|chdb|@clickhouse/client|kafkajs|@eventstore/db-client|@kurrent/kurrentdb-client|@grpc/grpc-js)($|/)';
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: {
        path: '^(node_modules/(@nestjs|better-sqlite3|pg|chdb|@clickhouse|kafkajs|@eventstore|@grpc|pino|prom-client|fastify)|libs/[^/]+/src/(application|infrastructure)/)',
      },
    },
    {
      name: 'domain-no-io',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(fs|node:fs|net|node:net|http|node:http|child_process|node:child_process)$',
      },
    },
    {
      name: 'application-not-infrastructure',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/application/' },
      to: { path: '^libs/[^/]+/src/infrastructure/' },
    },
    {
      name: 'drivers-only-in-adapters',
      severity: 'error',
      from: { path: '^(apps|libs/[^/]+/src/(domain|application))/' },
      to: { path: `^node_modules/${drivers.slice(1)}` },
    },
    {
      name: 'libs-through-index',
      severity: 'error',
      comment: 'Import another lib only through its @authtrail alias (index.ts).',
      from: { path: '^(apps|libs/([^/]+))/' },
      to: { path: '^libs/([^/]+)/src/(?!index\\.ts$)', pathNot: '^libs/$2/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, pathNot: '^node_modules' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^data/|\\.cache/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
