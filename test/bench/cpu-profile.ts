import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes; Chrome DevTools and speedscope
 * draw it as a flame graph) and ranks where the time went: per function by self time, and
 * per function by inclusive time (the function and what it called, each function counted
 * once per sample however deep it recurses).
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  /** Share of the sampled time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly sampledSeconds: number;
  /** `(idle)`: the thread waited for I/O or timers. */
  readonly idle: number;
  readonly garbageCollector: number;
  readonly self: readonly ProfileShare[];
  readonly inclusive: readonly ProfileShare[];
}

/** `fn path:line`, the path relative to the repository, `nm:` for a dependency. */
function frameName(frame: CallFrame, root: string): string {
  const url = frame.url
    .replace(/^file:\/\//, '')
    .replace(`${root}/`, '')
    .replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, 'nm:$1');
  const fn = frame.functionName || '(anonymous)';
  return url === '' ? fn : `${fn} ${url}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(file: string, root: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const timeOf = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    timeOf.set(id, (timeOf.get(id) ?? 0) + dt);
    total += dt;
  });

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of timeOf) {
    const node = byId.get(id)!;
    const name = frameName(node.callFrame, root);
    self.set(name, (self.get(name) ?? 0) + time);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const key = frameName(frame, root);
      if (key === '(root)' || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    }
  }
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, t]) => ({ name, share: total === 0 ? 0 : t / total }));
  return {
    file,
    sampledSeconds: total / 1e6,
    idle: (self.get('(idle)') ?? 0) / (total || 1),
    garbageCollector: (self.get('(garbage collector)') ?? 0) / (total || 1),
    self: ranked(self),
    inclusive: ranked(inclusive),
  };
}

/** Summaries of every `.cpuprofile` in `dir` (one per thread that ran JavaScript). */
export function summarizeProfiles(dir: string, root: string, top = 25): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => summarizeProfile(join(dir, f), root, top));
}

export function formatProfile(s: ProfileSummary, lines = 15): string {
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`;
  const busy = (xs: readonly ProfileShare[]) =>
    xs
      .filter((x) => !x.name.startsWith('('))
      .slice(0, lines)
      .map((x) => `  ${pct(x.share)}  ${x.name}`);
  return [
    `${s.file}: ${s.sampledSeconds.toFixed(1)} s sampled, idle ${pct(s.idle)}, garbage collector ${pct(s.garbageCollector)}`,
    ' inclusive (the function and what it called):',
    ...busy(s.inclusive),
    ' self:',
    ...busy(s.self),
  ].join('\n');
}
