import { AppError } from '@authtrail/platform';

/** The broker or file did not acknowledge a batch; nothing of it counts as delivered. */
export class SiemPublishError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('SIEM.PUBLISH_FAILED', 'unavailable', message, { retriable: true, cause });
  }
}
