import { lowerApiPriority } from './api-priority';

describe('lowerApiPriority', () => {
  it('sets the nice value of the calling thread on Linux', () => {
    const set = jest.fn();
    expect(lowerApiPriority(10, 'linux', set)).toEqual({ nice: 10 });
    expect(set).toHaveBeenCalledWith(10);
  });

  it('does nothing for 0, or where a nice value is the whole process’s', () => {
    const set = jest.fn();
    expect(lowerApiPriority(0, 'linux', set)).toEqual({ skipped: 'AUTHTRAIL_API_NICE=0' });
    expect(lowerApiPriority(10, 'darwin', set)).toEqual({
      skipped: 'per-thread priorities need Linux (darwin)',
    });
    expect(set).not.toHaveBeenCalled();
  });

  it('says why when the system refuses', () => {
    const set = () => {
      throw new Error('EACCES');
    };
    expect(lowerApiPriority(5, 'linux', set)).toEqual({ skipped: 'EACCES' });
  });
});
