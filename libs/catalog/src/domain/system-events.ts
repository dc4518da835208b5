import { ACCESS_EVENTS } from './access.event-types';
import { LEDGER_EVENTS } from './ledger.event-types';
import { PRIVACY_EVENTS } from './privacy.event-types';
import type { SystemEventType } from './system-event.builder';
import { TENANT_EVENTS } from './tenant.event-types';

/**
 * Every event authtrail records itself, one file per context. A new one is an entry in
 * its context's file (see libs/catalog/README.md): the catalog, `GET /v1/schemas`, the
 * docs and the SIEM mapping all derive from this list.
 */
export const SYSTEM_EVENT_TYPES: readonly SystemEventType[] = [
  ...Object.values(PRIVACY_EVENTS),
  ...Object.values(TENANT_EVENTS),
  ...Object.values(ACCESS_EVENTS),
  ...Object.values(LEDGER_EVENTS),
];
