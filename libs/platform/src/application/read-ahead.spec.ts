import { readAhead } from './read-ahead';

describe('readAhead', () => {
  it('runs next while the work waits, and returns once both are done', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const work = new Promise<void>((resolve) => (release = resolve)).then(() => {
      order.push('work done');
    });
    const result = readAhead(work, () => {
      order.push('next');
      release();
      return 42;
    });
    expect(await result).toBe(42);
    expect(order).toEqual(['next', 'work done']);
  });

  it('fails with the work’s error, even when next succeeded or failed too', async () => {
    const failure = new Error('insert failed');
    await expect(readAhead(Promise.reject(failure), () => 1)).rejects.toBe(failure);
    await expect(
      readAhead(Promise.reject(failure), () => Promise.reject(new Error('read failed'))),
    ).rejects.toBe(failure);
  });

  it('fails with next’s error when the work succeeded', async () => {
    const failure = new Error('read failed');
    await expect(
      readAhead(Promise.resolve(), () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});
