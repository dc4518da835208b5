import type { EventTypeDefinition, FieldSpec } from './catalog.types';
import type { EventCatalog } from './event-catalog';
import { isSystemEventType } from './system-event.builder';

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function reasonsText(d: EventTypeDefinition): string {
  if (d.reasons === null) return 'none (no `result.reason`)';
  const on = `on ${d.reasonStatuses.join(', ')}`;
  if (d.reasons === 'free-text') return `free text, ${on}`;
  return `${d.reasons.map((r) => `\`${r}\``).join(', ')}, ${on}`;
}

function secretText(f: FieldSpec): string {
  if (!f.secret) return '';
  return f.secretHandling === 'fact' ? 'yes: reduced to a fact' : 'yes: rejected';
}

function statusesText(d: EventTypeDefinition): string {
  if (d.statuses.length === 0) return 'none (a record of what authtrail did)';
  return d.statuses.map((s) => `\`${s}\``).join(', ');
}

function renderType(d: EventTypeDefinition): string[] {
  const lines = [
    `### \`${d.type}\``,
    '',
    d.description,
    '',
    `- Source name: ${d.seedName}`,
    `- Category: \`${d.category}\`, retention ${d.retentionDays} days from \`occurredAt\``,
    `- Posted by producers: ${d.producerPostable ? 'yes' : 'no (recorded by authtrail)'}`,
    `- Schema version: ${d.schemaVersion}`,
    `- Actor: ${d.actor}; target: ${d.target}`,
    `- Statuses: ${statusesText(d)}`,
    `- Reasons: ${reasonsText(d)}`,
  ];
  if (isSystemEventType(d)) {
    lines.push(
      `- Subject: ${d.subjectField === null ? 'none' : `\`${d.subjectField}\` (the envelope's \`subjects.subject\`, indexed for export and erasure)`}`,
      `- Audit: ${d.audit.entity}, ${d.audit.action === 'other' ? (d.audit.actionName ?? 'other') : d.audit.action}`,
    );
  }
  for (const [from, note] of Object.entries(d.versionNotes)) {
    lines.push(`- Upcast v${from} → v${Number(from) + 1}: ${note}`);
  }
  lines.push(
    '',
    '| JSON path | type | required | personal | whose | secret | source name | description |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of d.fields) {
    lines.push(
      `| \`${f.path}\` | ${cell(f.type)} | ${f.required ? 'yes' : 'no'} | ${f.personal ? 'yes' : 'no'} | ${f.whose ?? ''} | ${secretText(f)} | ${cell(f.seedName ?? '')} | ${cell(f.description)} |`,
    );
  }
  lines.push('');
  return lines;
}

/**
 * The event catalog as Markdown (docs/event-catalog.md). A unit test keeps the file equal
 * to this output, so the docs cannot drift from the schemas.
 */
export function renderCatalogMarkdown(catalog: EventCatalog): string {
  const defs = catalog.list();
  const lines = [
    '# Event catalog',
    '',
    '<!-- Generated from libs/catalog by scripts/gen-catalog-docs.ts; do not edit by hand. -->',
    '',
    'Every event type authtrail knows: producers post the SSPR and MFA types to `POST /v1/events`;',
    'authtrail records the privacy, tenant, access and ledger types itself. The same definitions are',
    'published as JSON Schema at `GET /v1/schemas`, with `x-authtrail-personal`, `x-authtrail-whose`',
    'and `x-authtrail-secret` on the fields they concern.',
    '',
    "**Source names** are the names Microsoft's public documents give each activity and field: the",
    'MFA types and fields come from "Microsoft Entra user data collection" (Authentication Attempts,',
    'Activations, Blocks, Bypasses, Changes), the SSPR types from "Self-service password reset',
    'reports" (the SSPR activities and their report columns).',
    '',
    'Rules for every type:',
    '',
    '- Unknown members are errors everywhere (`additionalProperties: false`); every string has a maximum length.',
    '- `eventId` is a UUID, `occurredAt` an ISO-8601 date-time with `Z` or an offset.',
    "- Personal fields are sealed per person (AES-256-GCM under that person's key) and never stored in",
    '  clear; `role` is the directory role and is not personal.',
    '- Secret fields are never stored, not even hashed: `details.newPin` becomes the fact',
    '  `details.pinChanged: true`; `details.securityQuestionAnswers` is rejected.',
    '- In the MFA data lists, "Username" is the target and "… By Username" the actor; the record\'s own timestamp is',
    '  `occurredAt`. Phone numbers, extensions, names, emails, IP addresses, device names and tokens belong',
    '  to the target.',
    '- `*` in a path stands for any index of an array.',
    '- Self-service SSPR types have the user as both actor and target (as the SSPR reports show them); the catalog does not',
    '  require the two to be equal, reports compare them.',
    '',
    'Choices where the sources leave room:',
    '',
    '- `sspr.ResetFlowProgressed`: the SSPR reports point at a table of status reasons they do not include, and',
    '  those reasons describe successful steps too, so `result.reason` is free text on any status.',
    '  `sspr.AccountUnlocked` and `sspr.Registered` mention a status reason without listing values: free',
    '  text, on Failure only.',
    '- `sspr.PasswordResetByAdmin` takes `FuzzyPolicyViolationInvalidPassword` on Failure: the source words',
    '  that reason as "the admin selected a password".',
    '- MFA results: attempts take "Overall Authenticated" as the status and "Overall Result" as the',
    '  reason; activations "Activate Success" and "Activate Error". Blocks, bypasses and changes are',
    '  records, always `Success`; whether a block blocked is `details.blocked`.',
    '- The MFA lists\' repeated names are lists: "Results" is `details.results[]` of {authenticated, result};',
    '  "Devices" is `details.devices[]`, whose device tokens are personal.',
    '',
    'Records authtrail writes itself (privacy, tenant, access, ledger):',
    '',
    '- Each is stored as an envelope whose `data` holds exactly the fields listed after `causationId`;',
    '  the schema shows them as readers see them (`GET /v1/subjects/{subjectId}/events`, exports), beside',
    "  the envelope's `eventId`, `type`, `occurredAt` and optional `correlationId`/`causationId`. The SIEM",
    '  stream carries the same data fields as `unmapped.details` (docs/siem.md).',
    '- No personal data: people appear as subject ids, callers as the id of their API key.',
    '- Each is built by its typed constructor and checked against this schema before it is appended: a',
    '  record that does not match is never stored.',
    '',
    '## Types',
    '',
    '| type | category | source name | retention (days) | actor | target | statuses |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...defs.map(
      (d) =>
        `| \`${d.type}\` | ${d.category} | ${cell(d.seedName)} | ${d.retentionDays} | ${d.actor} | ${d.target} | ${d.statuses.join(', ') || '—'} |`,
    ),
    '',
    '## Definitions',
    '',
  ];
  for (const d of defs) lines.push(...renderType(d));
  return `${lines.join('\n').trimEnd()}\n`;
}
