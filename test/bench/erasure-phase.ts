import { PRIVACY_EVENT } from '@authtrail/catalog';
import { createReadStream } from 'node:fs';
import { BenchKeys, benchPerson, callApi } from '../../apps/cli/src/commands/bench-http';
import { FileTail, Summary, sleep, summarize } from './serve-probes';

/**
 * Erasure latency: for a sample of people, `POST /v1/subjects/erase` and then watch every
 * surface until it no longer yields the person, each timed from the erase request:
 *
 * - api: the export finds nobody, and the subject's events (as privacy-admin) are marked
 *   erased and carry no name;
 * - tables: the erasure's progress (`GET /v1/privacy/erasures/{id}`) has the read model
 *   done — the projector's checkpoint passed the erasure's record, so its step
 *   (erased-subjects row, the person's sealed rows deleted) is written — and the audit
 *   query over ClickHouse shows the person without a name;
 * - siem: the erasure's record reached the NDJSON sink. The forwarder builds the
 *   identity topic's tombstone in the same batch and records it after that batch is
 *   acknowledged; the file itself holds no identities (docs/siem.md), which is checked at
 *   the end over the whole file.
 *
 * Every person is first checked to be visible by name, so none of the checks passes
 * vacuously.
 */

export interface ErasureSample {
  readonly subjectId: string;
  readonly events: number;
  readonly eraseRequestMs: number;
  readonly apiMs: number;
  readonly tablesMs: number;
  readonly siemMs: number;
  /** When every surface was scrubbed. */
  readonly totalMs: number;
}

export interface ErasureResult {
  readonly people: number;
  readonly total: Summary;
  readonly api: Summary;
  readonly tables: Summary;
  readonly siem: Summary;
  readonly eraseRequest: Summary;
  /** Names (`@contoso.example`, `Bench User`) found anywhere in the SIEM file: must be 0. */
  readonly siemFileNames: number;
  readonly siemFileBytes: number;
  readonly samples: readonly ErasureSample[];
}

const quoted = (s: string): string => JSON.stringify(s);

/** Polls `check` every `everyMs` until it is true; the ms since `t0` it took, or throws. */
async function until(
  what: string,
  t0: number,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
  everyMs = 20,
): Promise<number> {
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`${what} still not scrubbed after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export async function measureErasures(options: {
  readonly url: string;
  readonly keys: BenchKeys;
  readonly people: number;
  readonly siemFile: string;
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}): Promise<ErasureResult> {
  const { url, keys, siemFile } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tail = new FileTail(siemFile);
  const erasedInSiem = new Set<string>();
  const followSiem = (): void => {
    for (const line of tail.poll()) {
      if (!line.includes(PRIVACY_EVENT.erased)) continue;
      const m = line.match(/s_[A-Za-z0-9_-]{22}/g) ?? [];
      for (const sid of m) erasedInSiem.add(sid);
    }
  };
  const samples: ErasureSample[] = [];
  for (let k = 0; k < options.people; k++) {
    // 37 is prime to the pool's 5000 people: distinct people of every event type.
    const person = benchPerson((k * 37) % 5000);
    const names = [quoted(person.userPrincipalName)];
    // Person i of the pool only has MFA attempts when i % 5 == 2: no display name then.
    if (((k * 37) % 5000) % 5 !== 2) names.push(quoted(person.displayName));
    const named = (text: string): boolean => names.some((n) => text.includes(n));

    const before = await callApi(url, keys.privacyAdmin, 'POST', '/v1/subjects/export', {
      userPrincipalName: person.userPrincipalName,
    });
    if (before.status !== 200 || !named(before.text))
      throw new Error(
        `${person.userPrincipalName} is not in the log before the erasure (HTTP ${before.status})`,
      );

    const t0 = performance.now();
    const erased = await callApi(url, keys.privacyAdmin, 'POST', '/v1/subjects/erase', {
      userPrincipalName: person.userPrincipalName,
    });
    const eraseRequestMs = performance.now() - t0;
    if (erased.status !== 200)
      throw new Error(`erase failed: HTTP ${erased.status} ${erased.text}`);
    const { subjectId, events } = JSON.parse(erased.text) as {
      subjectId: string | null;
      events: number;
    };
    if (subjectId === null) throw new Error(`erase found nobody for ${person.userPrincipalName}`);

    const api = until('the API', t0, timeoutMs, async () => {
      const exp = await callApi(url, keys.privacyAdmin, 'POST', '/v1/subjects/export', {
        userPrincipalName: person.userPrincipalName,
      });
      if (exp.status !== 200 || named(exp.text)) return false;
      const evs = await callApi(url, keys.privacyAdmin, 'GET', `/v1/subjects/${subjectId}/events`);
      return (
        evs.status === 200 &&
        !named(evs.text) &&
        (JSON.parse(evs.text) as { erased: boolean }).erased
      );
    });
    const tables = until('the ClickHouse tables', t0, timeoutMs, async () => {
      const progress = await callApi(
        url,
        keys.privacyAdmin,
        'GET',
        `/v1/privacy/erasures/${subjectId}`,
      );
      if (progress.status !== 200)
        throw new Error(`erasure status: HTTP ${progress.status} ${progress.text}`);
      const { surfaces } = JSON.parse(progress.text) as { surfaces?: { readModel: string } };
      if (surfaces?.readModel !== 'done') return false;
      const r = await callApi(
        url,
        keys.privacyAdmin,
        'GET',
        `/v1/audit-events?targetId=${subjectId}&limit=1000`,
      );
      if (r.status !== 200 || named(r.text)) return false;
      const items = (
        JSON.parse(r.text) as { items: { target: { subjectId: string; erased: boolean } }[] }
      ).items;
      return items.every((i) => i.target?.subjectId !== subjectId || i.target.erased);
    });
    const siem = until('the SIEM sink', t0, timeoutMs, () => {
      followSiem();
      return erasedInSiem.has(subjectId);
    });
    const [apiMs, tablesMs, siemMs] = await Promise.all([api, tables, siem]);
    samples.push({
      subjectId,
      events,
      eraseRequestMs,
      apiMs,
      tablesMs,
      siemMs,
      totalMs: Math.max(apiMs, tablesMs, siemMs),
    });
  }
  options.log('scanning the SIEM file for names…');
  const scan = await countNames(siemFile, ['@contoso.example', 'Bench User']);
  const pick = (f: (s: ErasureSample) => number) => summarize(samples.map(f));
  return {
    people: samples.length,
    total: pick((s) => s.totalMs),
    api: pick((s) => s.apiMs),
    tables: pick((s) => s.tablesMs),
    siem: pick((s) => s.siemMs),
    eraseRequest: pick((s) => s.eraseRequestMs),
    siemFileNames: scan.hits,
    siemFileBytes: scan.bytes,
    samples,
  };
}

/** Occurrences of any of `needles` in a (large) file, read as a stream. */
async function countNames(
  path: string,
  needles: readonly string[],
): Promise<{ hits: number; bytes: number }> {
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  let carry = '';
  let hits = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    const text = carry + (chunk as string);
    bytes += Buffer.byteLength(chunk as string);
    for (const n of needles) {
      // The carried-over tail is shorter than a needle: no hit is counted twice.
      for (let i = text.indexOf(n); i >= 0; i = text.indexOf(n, i + 1)) hits++;
    }
    carry = text.slice(Math.max(0, text.length - overlap));
  }
  return { hits, bytes };
}
