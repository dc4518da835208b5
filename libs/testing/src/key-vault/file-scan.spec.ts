import { randomBytes } from 'node:crypto';
import { ByteScanner } from './file-scan';

describe('ByteScanner', () => {
  it('finds every planted needle and nothing else', () => {
    const content = randomBytes(200_000);
    const planted = { a: randomBytes(32), b: randomBytes(61), c: randomBytes(32) };
    planted.a.copy(content, 0);
    planted.b.copy(content, 123_457);
    planted.c.copy(content, content.length - 32);
    const absent = {
      d: randomBytes(32),
      e: Buffer.concat([planted.a.subarray(0, 8), randomBytes(24)]),
    };
    const hits = new ByteScanner({ ...planted, ...absent }).scan(content);
    expect(hits.sort((x, y) => x.offset - y.offset)).toEqual([
      { needle: 'a', offset: 0 },
      { needle: 'b', offset: 123_457 },
      { needle: 'c', offset: content.length - 32 },
    ]);
  });
});
