import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DiagnosticsBundle } from '../domain/diagnostics-bundle';

/**
 * Name and version from the project's package.json, found by walking up from this file:
 * it sits at a different depth in the sources (tests) and in `dist/` (builds).
 */
export function readBuildInfo(from: string = __dirname): DiagnosticsBundle['build'] {
  let dir = from;
  for (let i = 0; i < 12; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'authtrail')
        return {
          name: pkg.name,
          version: pkg.version ?? 'unknown',
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
        };
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return {
    name: 'authtrail',
    version: 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
