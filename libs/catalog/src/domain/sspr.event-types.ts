import { Type, type TProperties } from '@sinclair/typebox';
import type { EventTypeDefinition, Upcaster } from './catalog.types';
import { defineEventType, type PersonSpec } from './event-definition.builder';
import { MAX, list, object, oneOf, rejectedSecret, text } from './field.builders';

/** Methods a user registers or uses to reset (seed 002, "Data registered"). */
export const SSPR_METHODS = [
  'AlternateEmail',
  'OfficePhone',
  'MobilePhone',
  'SecurityQuestions',
] as const;
export type SsprMethod = (typeof SSPR_METHODS)[number];

export const ON_PREMISES_AGENTS = ['None', 'EntraConnect', 'CloudSync'] as const;

/** Seed 002 lists this failure reason for self-service changes and resets and, by its wording ("the admin selected"), for admin resets. */
export const FUZZY_POLICY_VIOLATION = 'FuzzyPolicyViolationInvalidPassword';

const SUCCESS_FAILURE = ['Success', 'Failure'] as const;

/**
 * The activity Microsoft's current SSPR reporting doc ("Reporting options for Microsoft
 * Entra password management", 2025) adds to seed 002's seven: it answers the ninth
 * question, "What changes were made to the SSPR policy?".
 */
export const SSPR_POLICY_CHANGES_ACTIVITY = 'Self-service password reset policy changes';

/** Most settings one policy change lists (Entra lists one modified property per setting). */
export const MAX_POLICY_CHANGES = 64;

/** The user is both actor and target of every self-service activity (seed 002). */
const selfActor: PersonSpec = {
  presence: 'required',
  description:
    'The user who performed the activity (an end user or an administrator); for self-service activities the same person as the target.',
  upnSeed: 'Activity actor',
};
const selfTarget: PersonSpec = {
  presence: 'required',
  description: 'The user the activity is about (an end user or an administrator).',
  upnSeed: 'Activity target',
  displayNameSeed: 'User',
  roleSeed: 'Role',
};

/**
 * Seed 000: answers to security questions are only ever kept hashed by the directory;
 * authtrail keeps no form of them at all, so a producer sending them gets a clear error
 * instead of a silent drop.
 */
const securityQuestionAnswers = Type.Optional(
  rejectedSecret({
    seed: null,
    description: 'Security-question answers. Secret: never accepted, in any form.',
    message:
      'security-question answers are secrets and are never accepted; send only the fact (e.g. "SecurityQuestions" in details.methods)',
  }),
);

function ssprDetails(properties: TProperties, required = false) {
  return { properties: { ...properties, securityQuestionAnswers }, required };
}

const methodsList = (seed: string | null, description: string) =>
  list(oneOf(SSPR_METHODS, { seed: null, description: 'An authentication method.' }), {
    seed,
    description,
    minItems: 1,
    maxItems: SSPR_METHODS.length,
    uniqueItems: true,
  });

const ssprResult = (statusDescription: string) => ({
  statuses: SUCCESS_FAILURE,
  statusSeed: 'Activity status',
  statusDescription,
});

/**
 * v1 stored `details.methods` as the report column prints it, one '+'-joined string
 * (`"AlternateEmail+MobilePhone"`, a two-gate registration). v2 stores an array, so reports
 * group and count single methods without parsing and duplicates are rejected at ingest.
 */
export const registeredV1ToV2: Upcaster = (view) => {
  const details = view.details as Record<string, unknown> | undefined;
  if (details === undefined || typeof details.methods !== 'string') return view;
  const methods = details.methods
    .split('+')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
  return { ...view, details: { ...details, methods: [...new Set(methods)] } };
};

export const SSPR_EVENT_TYPES: readonly EventTypeDefinition[] = [
  defineEventType({
    type: 'sspr.BlockedFromReset',
    category: 'sspr',
    seedName: 'Blocked from self-service password reset',
    description:
      'A user tried to reset a password, use a specific gate, or validate a phone number more than five total times in 24 hours, and is throttled for the next 24 hours.',
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      statuses: ['Success'],
      statusSeed: 'Activity status',
      statusDescription: 'Success: the user was throttled. The SSPR reports allow no other status.',
      reasons: null,
    },
    details: ssprDetails({
      throttledOperation: Type.Optional(
        oneOf(['PasswordReset', 'AuthenticationGate', 'PhoneValidation'] as const, {
          seed: null,
          description:
            'Which operation exceeded the limit: reset attempts, a specific gate, or phone validation.',
        }),
      ),
    }),
  }),
  defineEventType({
    type: 'sspr.PasswordChanged',
    category: 'sspr',
    seedName: 'Change password (self-service)',
    description: 'A user performed a voluntary, or forced (due to expiry), password change.',
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      ...ssprResult('Whether the user changed their password.'),
      reasons: [FUZZY_POLICY_VIOLATION],
      reasonSeed: 'Activity status failure reason',
      reasonDescription: 'Why the change failed (Failure only).',
    },
    details: ssprDetails({
      trigger: Type.Optional(
        oneOf(['Voluntary', 'Expired'] as const, {
          seed: null,
          description: 'Voluntary change, or forced because the password expired.',
        }),
      ),
    }),
  }),
  defineEventType({
    type: 'sspr.PasswordResetByAdmin',
    category: 'sspr',
    seedName: 'Reset password (by admin)',
    description: 'An administrator performed a password reset on behalf of a user.',
    occurredAtSeed: 'Date and Time',
    actor: {
      presence: 'required',
      description:
        'The administrator who reset the password (a password, user or helpdesk administrator).',
      upnSeed: 'Activity actor',
    },
    target: {
      ...selfTarget,
      description: 'The user whose password was reset (an end user or a different administrator).',
    },
    result: {
      ...ssprResult('Whether the admin reset the password.'),
      reasons: [FUZZY_POLICY_VIOLATION],
      reasonSeed: 'Activity status failure reason',
      reasonDescription: 'Why the reset failed (Failure only).',
    },
    details: ssprDetails({
      onPremisesAgent: Type.Optional(
        oneOf(ON_PREMISES_AGENTS, {
          seed: 'OnPremisesAgent',
          description:
            'None: cloud-only reset; EntraConnect: written back on-premises by the Microsoft Entra Connect agent; CloudSync: by the CloudSync agent.',
        }),
      ),
    }),
  }),
  defineEventType({
    type: 'sspr.PasswordResetSelfService',
    category: 'sspr',
    seedName: 'Reset password (self-service)',
    description: 'A user reset their own password through self-service password reset.',
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      ...ssprResult('Whether the user reset their own password.'),
      reasons: [FUZZY_POLICY_VIOLATION],
      reasonSeed: 'Activity status failure reason',
      reasonDescription: 'Why the reset failed (Failure only).',
    },
    details: ssprDetails(
      {
        methods: methodsList(
          'Data Registered',
          'The methods (gates) the user passed to reset; two with a two-gate policy.',
        ),
      },
      true,
    ),
  }),
  defineEventType({
    type: 'sspr.ResetFlowProgressed',
    category: 'sspr',
    seedName: 'Self-service password reset flow activity progress',
    description:
      'One step of the password reset flow, such as passing a specific authentication gate.',
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      ...ssprResult('Whether the step succeeded.'),
      // The seed points at a table of permissible status reasons it does not include,
      // and these reasons describe successful steps as well as failed ones: any status
      // may carry a free-text reason.
      reasons: 'free-text',
      reasonStatuses: SUCCESS_FAILURE,
      reasonSeed: 'Activity status reasons',
      reasonDescription:
        'Status reason of the step, free text (the SSPR reports refer to a list they do not include); allowed on Success and Failure.',
    },
    details: ssprDetails(
      {
        step: text({
          seed: null,
          description: 'The flow step, e.g. "VerifyMobilePhone" or "SetNewPassword".',
          maxLength: MAX.code,
        }),
        method: Type.Optional(
          oneOf(SSPR_METHODS, {
            seed: null,
            description: 'The method (gate) the step used, if any.',
          }),
        ),
      },
      true,
    ),
  }),
  defineEventType({
    type: 'sspr.AccountUnlocked',
    category: 'sspr',
    seedName: 'Unlock user account (self-service)',
    description:
      'A user unlocked their Active Directory account without resetting their password (account unlock without reset).',
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      ...ssprResult('Whether the user unlocked their own account.'),
      // The seed refers to an "Activity status reason" without listing values.
      reasons: 'free-text',
      reasonSeed: 'Activity status reason',
      reasonDescription: 'Why the unlock failed, free text (Failure only).',
    },
    details: ssprDetails({}),
  }),
  defineEventType({
    type: 'sspr.Registered',
    category: 'sspr',
    seedName: 'User registered for self-service password reset',
    description:
      'A user registered the information required to reset their password under the tenant policy.',
    schemaVersion: 2,
    upcasters: { 1: registeredV1ToV2 },
    versionNotes: {
      1: 'v1 stored details.methods as one "+"-joined string ("AlternateEmail+MobilePhone"); v2 stores an array of unique methods.',
    },
    occurredAtSeed: 'Date and Time',
    actor: selfActor,
    target: selfTarget,
    result: {
      ...ssprResult(
        'Whether registration completed under the current policy. Failure does not mean the user cannot reset.',
      ),
      // The seed refers to an "Activity status reason" without listing values.
      reasons: 'free-text',
      reasonSeed: 'Activity status reason',
      reasonDescription: 'Why registration did not complete, free text (Failure only).',
    },
    details: ssprDetails(
      {
        methods: methodsList(
          'Data Registered',
          'The authentication data the user registered: any combination of the four methods.',
        ),
      },
      true,
    ),
  }),
  defineEventType({
    type: 'sspr.PolicyChanged',
    category: 'sspr',
    seedName: SSPR_POLICY_CHANGES_ACTIVITY,
    description:
      'An administrator changed settings of the self-service password reset policy; each change with its old and new value.',
    occurredAtSeed: 'Date and Time',
    actor: {
      presence: 'required',
      description:
        'The administrator who changed the policy (display name and user principal name).',
      upnSeed: 'Activity actor',
    },
    // The doc's "activity target" is the policy itself, not a person: it lives in details.
    target: { presence: 'none' },
    result: {
      ...ssprResult('Whether the administrator changed the policy.'),
      // The doc lists "Permission failure?" (with the question mark): no fixed values.
      reasons: 'free-text',
      reasonSeed: 'Activity status failure reason',
      reasonDescription: 'Why the change failed, free text (Failure only).',
    },
    details: ssprDetails(
      {
        policy: Type.Optional(
          text({
            seed: null,
            description: 'Name of the changed policy as the directory shows it.',
            maxLength: MAX.name,
          }),
        ),
        changes: list(
          object(
            {
              property: text({
                seed: 'Activity target',
                description: 'The policy setting that changed.',
                maxLength: MAX.name,
              }),
              oldValue: Type.Optional(
                text({
                  seed: null,
                  description: 'Its value before the change (as the directory renders it).',
                  maxLength: MAX.token,
                  minLength: 0,
                }),
              ),
              newValue: Type.Optional(
                text({
                  seed: null,
                  description: 'Its value after the change (as the directory renders it).',
                  maxLength: MAX.token,
                  minLength: 0,
                }),
              ),
            },
            { seed: null, description: 'One changed setting.' },
          ),
          {
            seed: 'Activity target',
            description: 'The updated properties of the SSPR policy, old and new value each.',
            maxItems: MAX_POLICY_CHANGES,
          },
        ),
      },
      true,
    ),
  }),
];
