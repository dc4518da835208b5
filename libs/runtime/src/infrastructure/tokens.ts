import type { AppConfig } from '@authtrail/config';

/** What the composition root opened, so it can close it in order. */
export interface OpenedStores {
  readonly config: AppConfig;
  close(): Promise<void>;
}

export const OPENED_STORES = Symbol('OpenedStores');
