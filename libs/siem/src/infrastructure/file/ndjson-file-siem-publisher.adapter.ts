import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SiemPublishError } from '../../domain/siem.errors';
import type { SiemPublisher } from '../../domain/siem-publisher.port';
import type { SiemRecord } from '../../domain/siem-record';
import { SIEM_TOPICS } from '../../domain/siem-topics';

/**
 * The embedded mode's SIEM sink (AUTHTRAIL_SIEM_FILE): the events topic's OCSF records, one
 * JSON object per line, appended and flushed to disk before the batch counts as delivered.
 * Identity records and tombstones are never written: a file cannot forget a person.
 */
export class NdjsonFileSiemPublisher implements SiemPublisher {
  readonly carries = [SIEM_TOPICS.events] as const;
  private file: FileHandle | null = null;

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    if (this.file !== null) return;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      this.file = await open(this.path, 'a', 0o600);
    } catch (error) {
      throw new SiemPublishError(
        `cannot open the SIEM file ${this.path}: ${(error as Error).message}`,
        error,
      );
    }
  }

  async publish(records: readonly SiemRecord[]): Promise<void> {
    const lines = records
      .filter((r) => r.topic === SIEM_TOPICS.events && r.value !== null)
      .map((r) => `${r.value}\n`)
      .join('');
    if (lines === '') return;
    try {
      if (this.file === null) await this.start();
      await this.file!.appendFile(lines, 'utf8');
      await this.file!.datasync();
    } catch (error) {
      throw new SiemPublishError(
        `cannot write the SIEM file ${this.path}: ${(error as Error).message}`,
        error,
      );
    }
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}
