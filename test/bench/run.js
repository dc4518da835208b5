#!/usr/bin/env node
// Runs a TypeScript benchmark of test/bench without a build: SWC transpiles on require
// (same .swcrc as jest) and @authtrail/* aliases resolve like tsconfig's paths.
// Usage: node test/bench/run.js all --events 20000 --seconds 5   (or: reports --events 100000)
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const swc = { ...JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8')), swcrc: false };
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const aliases = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([k, [v]]) => [k, path.join(root, v)]),
);

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ?? request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swc, filename });
  module._compile(code, filename);
};

const name = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv[2] : 'reports';
require(path.join(__dirname, `${name}.bench.ts`));
