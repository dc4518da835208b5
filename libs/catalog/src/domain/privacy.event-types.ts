/**
 * Type names of the privacy context's own records. Ingest guards each person's lifecycle
 * stream against `erased` (DESIGN.md "Streams and ordering").
 */
export const PRIVACY_EVENT = {
  erasureRequested: 'privacy.SubjectErasureRequested',
  erased: 'privacy.SubjectErased',
  exported: 'privacy.SubjectExported',
} as const;
