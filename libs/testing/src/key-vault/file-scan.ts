import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ByteHit {
  readonly file: string;
  readonly needle: string;
  readonly offset: number;
}

/**
 * Finds many byte sequences (each at least 4 bytes) in one pass over a buffer: the
 * "deletion that deletes" check, fast enough for hundreds of needles over megabytes.
 */
export class ByteScanner {
  private readonly byPrefix = new Map<number, { name: string; bytes: Buffer }[]>();

  constructor(needles: Readonly<Record<string, Uint8Array>>) {
    for (const [name, raw] of Object.entries(needles)) {
      const bytes = Buffer.from(raw);
      if (bytes.length < 4) throw new RangeError(`needle ${name} is shorter than 4 bytes`);
      const prefix = bytes.readUInt32BE(0);
      const list = this.byPrefix.get(prefix) ?? [];
      list.push({ name, bytes });
      this.byPrefix.set(prefix, list);
    }
  }

  /** One hit per needle found (its first offset). */
  scan(content: Uint8Array): { needle: string; offset: number }[] {
    const found = new Map<string, number>();
    let window = 0;
    for (let i = 0; i < content.length; i++) {
      window = ((window << 8) | content[i]) >>> 0;
      if (i < 3) continue;
      const candidates = this.byPrefix.get(window);
      if (!candidates) continue;
      const start = i - 3;
      for (const c of candidates) {
        if (found.has(c.name) || start + c.bytes.length > content.length) continue;
        if (Buffer.from(content.buffer, content.byteOffset + start, c.bytes.length).equals(c.bytes))
          found.set(c.name, start);
      }
    }
    return [...found].map(([needle, offset]) => ({ needle, offset }));
  }
}

/** Looks for byte sequences in every regular file of a directory (not recursive). */
export function findBytesInFiles(
  dir: string,
  needles: Readonly<Record<string, Uint8Array>>,
): ByteHit[] {
  const scanner = new ByteScanner(needles);
  const hits: ByteHit[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    for (const hit of scanner.scan(readFileSync(file))) hits.push({ file: name, ...hit });
  }
  return hits;
}
