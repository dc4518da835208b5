#!/usr/bin/env node
// The npm registry mirror of these machines lacks other platforms' builds of some
// optional native packages (chdb's, jest's resolver), so `npm install` leaves them out
// of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds the
// missing optional entries with their os/cpu/libc constraints, so `npm ci` skips them on
// this platform and fetches them by version on the platforms they are for.
// Usage: node scripts/complete-lockfile.js   (after any `npm install`)
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

function constraints(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : parts.some((p) => p === 'gnu' || p.startsWith('gnueabi'))
      ? 'glibc'
      : null;
  if (!os || !cpu) return null;
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
}

let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = where === '' ? '' : `${where}/`;
    if (pkgs[`${base}node_modules/${dep}`] || pkgs[`node_modules/${dep}`]) continue;
    const c = constraints(dep);
    if (!c) continue;
    pkgs[`node_modules/${dep}`] = { version: range.replace(/^[\^~]/, ''), optional: true, ...c };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
