// Test support, never shipped: lets a child process run the TypeScript sources (the real
// worker entry point) the way jest does — SWC transpiles only, `@authtrail/*` aliases come
// from tsconfig.base.json. Used by the two-worker failover test: `node -r <this> <file.ts>`.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const swc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const aliases = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    alias,
    path.join(root, target),
  ]),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swc,
    swcrc: false,
    filename,
  });
  module._compile(code, filename);
};
