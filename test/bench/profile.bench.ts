/**
 * Summarises the `.cpuprofile` files of a directory (what `node --cpu-prof` or
 * `npm run bench -- --profile` wrote), ranked by self and inclusive time:
 *
 *   node test/bench/run.js profile <dir> [--lines 30]
 */
import { resolve } from 'node:path';
import { formatProfile, summarizeProfiles } from './cpu-profile';

const dir = process.argv[3];
if (!dir) throw new Error('usage: node test/bench/run.js profile <dir> [--lines 30]');
const i = process.argv.indexOf('--lines');
const lines = Number(i > 0 ? process.argv[i + 1] : '30');
for (const p of summarizeProfiles(resolve(dir), resolve(__dirname, '../..'), lines * 2))
  process.stdout.write(`${formatProfile(p, lines)}\n\n`);
