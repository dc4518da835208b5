/**
 * Runs `next` while `work` waits on its I/O, and returns what `next` gave once both are
 * done: how a follower of the log reads its next batch while the current one is written
 * (a ClickHouse insert, a Kafka send). `next` starts one turn of the loop later, so the
 * synchronous part of `work` and its first awaits have handed their I/O off by then.
 * A failure of `work` wins: the caller never goes on with a batch after a failed one.
 */
export async function readAhead<T>(work: Promise<void>, next: () => T | Promise<T>): Promise<T> {
  const done = work.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  const ahead = Promise.resolve()
    .then(next)
    .then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [failed, read] = await Promise.all([done, ahead]);
  if (failed) throw failed.error;
  if ('error' in read) throw read.error;
  return read.value;
}
