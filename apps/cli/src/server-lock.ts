import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `serve` announces itself in `<dataDir>/server.json`, so CLI commands that change data
 * go through the running server (which holds the stores) instead of opening them twice.
 */
export interface ServerInfo {
  readonly pid: number;
  readonly url: string;
}

const file = (dataDir: string): string => join(dataDir, 'server.json');

export function announceServer(dataDir: string, info: ServerInfo): () => void {
  writeFileSync(file(dataDir), JSON.stringify(info), { mode: 0o600 });
  // Remove only our own announcement, never one another server wrote since.
  return () => {
    if (readInfo(dataDir)?.pid === info.pid) rmSync(file(dataDir), { force: true });
  };
}

function readInfo(dataDir: string): ServerInfo | null {
  try {
    return JSON.parse(readFileSync(file(dataDir), 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
}

export function runningServer(dataDir: string): ServerInfo | null {
  const info = readInfo(dataDir);
  // A stale file naming our own pid (a container restarts as pid 1) is no server.
  if (info === null || info.pid === process.pid) return null;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
