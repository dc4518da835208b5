// Test tiers by suffix (STYLE.md): unit *.spec.ts, application *.app-spec.ts (handlers on
// libs/testing's in-memory adapters; run with unit), integration *.int-spec.ts against real
// stores, end-to-end test/e2e/*.e2e-spec.ts over HTTP. SWC transpiles only; `npm run
// typecheck` is the type gate.
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
const { compilerOptions } = require('./tsconfig.base.json');
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // content-disposition (via @fastify/static) and jose ship ESM only; Node requires it natively
  // but jest's module system does not, so SWC turns it into CommonJS.
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { ...swc, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|jose)/)'],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.{spec,app-spec}.ts'],
    },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/int-global-setup.js',
      globalTeardown: '<rootDir>/test/setup/int-global-teardown.js',
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
