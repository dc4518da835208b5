import type { ConnectionSettings } from './sqlite-connection';
import type { AppendJob, JobOutcome } from './sqlite-appender';

/** What the event store and its writer thread say to each other (see `ThreadSqliteWriter`). */
export interface WriterThreadOptions extends ConnectionSettings {
  readonly file: string;
}

export type WriterRequest =
  | { readonly type: 'commit'; readonly id: number; readonly jobs: readonly AppendJob[] }
  | { readonly type: 'close'; readonly id: number };

export type WriterReply =
  | { readonly type: 'committed'; readonly id: number; readonly outcomes: JobOutcome[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'closed'; readonly id: number };
