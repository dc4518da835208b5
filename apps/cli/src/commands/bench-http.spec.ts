import { mappedFileRssOf, memoryOf } from './bench-http';

const linux = process.platform === 'linux';

(linux ? describe : describe.skip)('the bench server memory readings (Linux /proc)', () => {
  it('splits the resident set into anonymous and file-backed memory', () => {
    const mem = memoryOf(process.pid)!;
    expect(mem.rssAnonBytes).toBeGreaterThan(0);
    expect(mem.rssFileBytes).toBeGreaterThan(0);
    // RssShmem is the third part of VmRSS: the two are never more than the whole.
    expect(mem.rssAnonBytes + mem.rssFileBytes).toBeLessThanOrEqual(mem.rssBytes);
    expect(mem.peakRssBytes).toBeGreaterThanOrEqual(mem.rssBytes);
  });

  it('sums the resident pages of one mapped file, and none of a file not mapped', () => {
    const node = mappedFileRssOf(process.pid, process.execPath)!;
    expect(node).toBeGreaterThan(0);
    expect(node).toBeLessThanOrEqual(memoryOf(process.pid)!.rssFileBytes);
    expect(mappedFileRssOf(process.pid, '/no/such/library.so')).toBe(0);
  });

  it('reads nothing of a process that does not exist', () => {
    expect(memoryOf(2 ** 30)).toBeNull();
    expect(mappedFileRssOf(2 ** 30, 'libchdb')).toBeNull();
  });
});
