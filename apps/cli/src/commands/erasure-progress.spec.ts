import { stillPending } from './erasure-progress';

describe('authtrail erasures status --wait: what an erasure still waits for', () => {
  it('nothing once every copy is done or not run', () => {
    expect(
      stillPending({
        status: 'erased',
        surfaces: { keyVault: 'done', readModel: 'done', siem: 'off' },
      }),
    ).toEqual([]);
    expect(
      stillPending({
        status: 'erased',
        surfaces: { keyVault: 'done', readModel: 'done', siem: 'done' },
      }),
    ).toEqual([]);
  });

  it('names each copy not cleaned up yet, or that cannot be told', () => {
    expect(
      stillPending({
        status: 'erased',
        surfaces: { keyVault: 'done', readModel: 'pending', siem: 'unknown' },
      }),
    ).toEqual(['report tables pending', 'SIEM unknown']);
  });

  it('an erasure not run yet, or a server without progress, is not complete', () => {
    expect(stillPending({ status: 'deferred' })).toEqual(['the erasure itself (deferred)']);
    expect(stillPending({ status: 'erased' })).toEqual([
      'its progress (this server does not report it)',
    ]);
  });
});
