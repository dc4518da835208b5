import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siemPublisherContract } from '@authtrail/testing';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { NdjsonFileSiemPublisher } from './ndjson-file-siem-publisher.adapter';

siemPublisherContract('NDJSON file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-siem-file-'));
  const file = join(dir, 'siem', 'events.ndjson');
  // A regular file where the sink's directory would have to be.
  writeFileSync(join(dir, 'blocker'), '');
  return Promise.resolve({
    open: () => new NdjsonFileSiemPublisher(file),
    unreachable: () => new NdjsonFileSiemPublisher(join(dir, 'blocker', 'events.ndjson')),
    carries: [SIEM_TOPICS.events],
    keepsKeys: false,
    delivered: (topic) =>
      Promise.resolve(
        topic !== SIEM_TOPICS.events || !existsSync(file)
          ? []
          : readFileSync(file, 'utf8')
              .split('\n')
              .filter((l) => l !== '')
              .map((value) => ({ key: null, value })),
      ),
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});
