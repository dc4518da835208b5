import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CliError, type ApiCall } from '../api-client';

/** One request's worth of a file: at most the server's event and byte limits. */
export interface IngestBatch {
  /** Index in the file (0-based, blank lines not counted) of the batch's first event. */
  readonly first: number;
  readonly count: number;
  readonly body: string;
  readonly contentType: 'application/json' | 'application/x-ndjson';
}

export interface IngestLimits {
  readonly maxEvents: number;
  readonly maxBodyBytes: number;
}

export interface IngestResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly batches: number;
}

/** `ENOENT` and friends as one line naming the file. */
function unreadable(file: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
  return new CliError(`cannot read ${file}: ${why}`);
}

/** Packs serialized events into bodies within both limits (a lone oversized event goes alone; the server answers 413). */
function packer(
  limits: IngestLimits,
  wrap: (parts: string[]) => string,
  overhead: (n: number) => number,
  contentType: IngestBatch['contentType'],
) {
  let parts: string[] = [];
  let bytes = 0;
  let first = 0;
  let index = 0;
  const flush = (): IngestBatch | null => {
    if (parts.length === 0) return null;
    const batch = { first, count: parts.length, body: wrap(parts), contentType };
    first = index;
    parts = [];
    bytes = 0;
    return batch;
  };
  return {
    add(part: string): IngestBatch | null {
      const size = Buffer.byteLength(part);
      const full =
        parts.length >= limits.maxEvents ||
        (parts.length > 0 && bytes + size + overhead(parts.length + 1) > limits.maxBodyBytes);
      const out = full ? flush() : null;
      parts.push(part);
      bytes += size;
      index += 1;
      return out;
    },
    flush,
  };
}

/**
 * A file's events as request bodies the server accepts: NDJSON is read line by line (a
 * file of any size), a JSON array is parsed whole. Each batch is all or nothing on the
 * server; re-sending stored events only counts them as duplicates.
 */
export async function* readBatches(
  file: string,
  limits: IngestLimits,
): AsyncGenerator<IngestBatch> {
  let head: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(file, error);
  }
  if (
    head
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('[')
  ) {
    let events: unknown;
    try {
      events = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
    } catch (error) {
      if (error instanceof SyntaxError)
        throw new CliError(`${file} is not valid JSON: ${error.message}`);
      throw unreadable(file, error);
    }
    if (!Array.isArray(events)) throw new CliError(`${file}: expected a JSON array of events`);
    const pack = packer(
      limits,
      (p) => `[${p.join(',')}]`,
      (n) => n + 1,
      'application/json',
    );
    for (const e of events) {
      const batch = pack.add(JSON.stringify(e));
      if (batch) yield batch;
    }
    const last = pack.flush();
    if (last) yield last;
    return;
  }
  const pack = packer(
    limits,
    (p) => p.join('\n'),
    (n) => n - 1,
    'application/x-ndjson',
  );
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Infinity,
  });
  try {
    for await (const raw of lines) {
      const line = raw.replace(/^\uFEFF/, '').trim();
      if (line === '') continue;
      const batch = pack.add(line);
      if (batch) yield batch;
    }
  } catch (error) {
    throw unreadable(file, error);
  }
  const last = pack.flush();
  if (last) yield last;
}

/**
 * `authtrail ingest <file>`: posts the file batch by batch. A refused batch stops the run
 * with the problem document, its indexes counted from the start of the file, and says
 * what was stored before it.
 */
export async function ingestFile(
  api: ApiCall,
  file: string,
  limits: IngestLimits,
  report: (problem: unknown) => void,
): Promise<IngestResult> {
  let accepted = 0;
  let duplicates = 0;
  let batches = 0;
  for await (const batch of readBatches(file, limits)) {
    const r = await api('POST', '/v1/events', batch.body, batch.contentType);
    if (r.status >= 300) {
      report(inFileIndexes(r.body, batch.first));
      const stored =
        batches === 0
          ? 'nothing of the file was stored'
          : `the first ${batch.first} events of ${file} were stored (${accepted} new, ${duplicates} duplicates, in ${batches} batch${batches === 1 ? '' : 'es'})`;
      throw new CliError(
        `events ${batch.first}–${batch.first + batch.count - 1} were refused (HTTP ${r.status}; error indexes count from the start of the file); ${stored}. Fix the file and run the same command again: stored events count as duplicates.`,
      );
    }
    const body = r.body as { accepted: number; duplicates: number };
    accepted += body.accepted;
    duplicates += body.duplicates;
    batches += 1;
  }
  if (batches === 0) throw new CliError(`${file} holds no events`);
  return { accepted, duplicates, batches };
}

/** The server numbers a batch's events from 0; the user knows the file. */
function inFileIndexes(problem: unknown, offset: number): unknown {
  if (offset === 0 || problem === null || typeof problem !== 'object') return problem;
  const p = problem as { errors?: unknown; indexes?: unknown };
  const shift = (i: unknown) => (typeof i === 'number' ? i + offset : i);
  return {
    ...p,
    ...(Array.isArray(p.errors)
      ? {
          errors: p.errors.map((e: unknown) =>
            e !== null && typeof e === 'object' && 'index' in e
              ? { ...e, index: shift(e.index) }
              : e,
          ),
        }
      : {}),
    ...(Array.isArray(p.indexes) ? { indexes: p.indexes.map(shift) } : {}),
  };
}
