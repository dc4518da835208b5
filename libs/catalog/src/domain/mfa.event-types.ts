import { Type, type TSchema } from '@sinclair/typebox';
import type { EventTypeDefinition } from './catalog.types';
import { defineEventType, type PersonSpec } from './event-definition.builder';
import {
  MAX,
  bool,
  contact,
  countryCode,
  dateTime,
  factSecret,
  int,
  list,
  object,
  oneOf,
  text,
} from './field.builders';

/**
 * MFA event types from seed 000 ("MFA information collected"): every field of every
 * family is mapped. The seed's "Username" is the target, "… By Username" the actor; the
 * seed's own timestamp is `occurredAt`. Names, emails, phone numbers, extensions, IP
 * addresses, device names and device tokens are the target's personal data.
 */

export const MFA_AUTHENTICATION_METHODS = [
  'PhoneCall',
  'TextMessage',
  'MobileApp',
  'OathToken',
] as const;
const STANDARD_PIN = ['Standard', 'PIN'] as const;

const mfaUser: PersonSpec = {
  presence: 'required',
  description: 'The MFA user the record is about.',
  upnSeed: 'Username',
};

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** "Country Code", "Phone Number", "Phone Number Formatted", "Extension", "Clean Extension" of blocks and bypasses. */
const phoneFields = {
  countryCode: opt(countryCode('Country Code', 'Dialling country code of the phone.')),
  phoneNumber: opt(contact('Phone Number', 'Phone number as stored.', MAX.phone)),
  phoneNumberFormatted: opt(
    contact('Phone Number Formatted', 'Phone number formatted for display.', MAX.phone + 8),
  ),
  extension: opt(contact('Extension', 'Phone extension as entered.', MAX.extension)),
  cleanExtension: opt(contact('Clean Extension', 'Phone extension, digits only.', MAX.extension)),
};

const completion = {
  completedAt: opt(
    dateTime({ seed: 'Completion Timestamp', description: 'When the block or bypass ended.' }),
  ),
  completionReason: opt(
    text({
      seed: 'Completion Reason',
      description: 'Why it ended (e.g. unblocked by admin, expired, used).',
      maxLength: MAX.code,
    }),
  ),
};

const callFields = (prefix: 'primaryCall' | 'backupCall', label: 'Primary' | 'Backup') => ({
  [`${prefix}CountryCode`]: opt(
    countryCode(`${label} Call Country Code`, `Country code of the ${label.toLowerCase()} phone.`),
  ),
  [`${prefix}PhoneNumber`]: opt(
    contact(
      `${label} Call Phone Number`,
      `The ${label.toLowerCase()} phone number called.`,
      MAX.phone,
    ),
  ),
  [`${prefix}Extension`]: opt(
    contact(
      `${label} Call Extension`,
      `Extension of the ${label.toLowerCase()} phone.`,
      MAX.extension,
    ),
  ),
  [`${prefix}Authenticated`]: opt(
    bool({
      seed: `${label} Call Authenticated`,
      description: `Whether the ${label.toLowerCase()} call authenticated the user.`,
    }),
  ),
  [`${prefix}Result`]: opt(
    text({
      seed: `${label} Call Result`,
      description: `Result code of the ${label.toLowerCase()} call.`,
      maxLength: MAX.code,
    }),
  ),
});

export const MFA_EVENT_TYPES: readonly EventTypeDefinition[] = [
  defineEventType({
    type: 'mfa.AuthenticationAttempted',
    category: 'mfa',
    seedName: 'Authentication Attempts',
    description: 'One MFA authentication attempt (used for reporting and troubleshooting).',
    occurredAtSeed: 'Timestamp',
    actor: { presence: 'none' },
    target: mfaUser,
    result: {
      statuses: ['Success', 'Failure'],
      statusSeed: 'Overall Authenticated',
      statusDescription: 'Success when the attempt authenticated the user overall.',
      // "Overall Result" is a result text for every attempt, successful or not.
      reasons: 'free-text',
      reasonStatuses: ['Success', 'Failure'],
      reasonSeed: 'Overall Result',
      reasonDescription:
        'Overall result of the attempt, e.g. "Success: PIN entered" or "Failed: no answer".',
    },
    details: {
      required: true,
      properties: {
        firstName: opt(
          text({
            seed: 'First Name',
            description: "The user's first name.",
            maxLength: MAX.name,
            personal: true,
          }),
        ),
        lastName: opt(
          text({
            seed: 'Last Name',
            description: "The user's last name.",
            maxLength: MAX.name,
            personal: true,
          }),
        ),
        emailAddress: opt(
          text({
            seed: 'Email Address',
            description: "The user's email address.",
            maxLength: MAX.name,
            personal: true,
          }),
        ),
        userGroup: opt(
          text({
            seed: 'User Group',
            description: 'MFA Server user group of the user.',
            maxLength: MAX.name,
          }),
        ),
        authenticationMethod: oneOf(MFA_AUTHENTICATION_METHODS, {
          seed: 'Authentication Method',
          description: 'Phone call, text message, mobile app or OATH token.',
        }),
        phoneCallMode: opt(
          oneOf(STANDARD_PIN, { seed: 'Phone Call Mode', description: 'Standard or PIN.' }),
        ),
        textMessageDirection: opt(
          oneOf(['OneWay', 'TwoWay'] as const, {
            seed: 'Text Message Direction',
            description: 'One-way or two-way.',
          }),
        ),
        textMessageMode: opt(
          oneOf(['OTP', 'OTPAndPIN'] as const, {
            seed: 'Text Message Mode',
            description: 'OTP, or OTP + PIN.',
          }),
        ),
        mobileAppMode: opt(
          oneOf(STANDARD_PIN, { seed: 'Mobile App Mode', description: 'Standard or PIN.' }),
        ),
        oathTokenMode: opt(
          oneOf(STANDARD_PIN, { seed: 'OATH Token Mode', description: 'Standard or PIN.' }),
        ),
        authenticationType: opt(
          text({
            seed: 'Authentication Type',
            description: 'How the attempt reached MFA (e.g. RADIUS, IIS, ADFS, SDK).',
            maxLength: MAX.code,
          }),
        ),
        applicationName: opt(
          text({
            seed: 'Application Name',
            description: 'The application the user signed in to.',
            maxLength: MAX.name,
          }),
        ),
        ...callFields('primaryCall', 'Primary'),
        ...callFields('backupCall', 'Backup'),
        results: opt(
          list(
            object(
              {
                authenticated: bool({
                  seed: 'Authenticated',
                  description: 'Whether this step authenticated the user.',
                }),
                result: text({
                  seed: 'Result',
                  description: 'Result code of this step.',
                  maxLength: MAX.code,
                }),
              },
              { seed: null, description: 'One authentication step.' },
            ),
            {
              seed: 'Results',
              description: 'Result of each authentication step of the attempt.',
              maxItems: 32,
            },
          ),
        ),
        initiatingIpAddress: opt(
          text({
            seed: 'Initiating IP Address',
            description: 'IP address the attempt came from.',
            maxLength: MAX.ip,
            personal: true,
          }),
        ),
        devices: opt(
          list(
            object(
              {
                deviceToken: opt(
                  text({
                    seed: 'Device Token',
                    description: 'Push token of the device.',
                    maxLength: MAX.token,
                    personal: true,
                  }),
                ),
                deviceType: opt(
                  text({
                    seed: 'Device Type',
                    description: 'Device platform, e.g. iOS or Android.',
                    maxLength: MAX.code,
                  }),
                ),
                mobileAppVersion: opt(
                  text({
                    seed: 'Mobile App Version',
                    description: 'Authenticator app version.',
                    maxLength: MAX.version,
                  }),
                ),
                osVersion: opt(
                  text({
                    seed: 'OS Version',
                    description: 'Operating system version.',
                    maxLength: MAX.version,
                  }),
                ),
                result: opt(
                  text({
                    seed: 'Result',
                    description: 'Result of the notification to this device.',
                    maxLength: MAX.code,
                  }),
                ),
                usedCheckForNotification: opt(
                  bool({
                    seed: 'Used Check for Notification',
                    description: 'Whether the app polled for the notification.',
                  }),
                ),
              },
              { seed: null, description: 'One device notified for the attempt.' },
            ),
            {
              seed: 'Devices',
              description: 'Mobile app devices notified for the attempt.',
              maxItems: 16,
            },
          ),
        ),
      },
    },
  }),
  defineEventType({
    type: 'mfa.AppActivated',
    category: 'mfa',
    seedName: 'Activations',
    description: 'An attempt to activate an account in the Microsoft Authenticator mobile app.',
    occurredAtSeed: 'Timestamp',
    actor: { presence: 'none' },
    target: mfaUser,
    result: {
      statuses: ['Success', 'Failure'],
      statusSeed: 'Activate Success',
      statusDescription: 'Success when the activation succeeded.',
      reasons: 'free-text',
      reasonSeed: 'Activate Error',
      reasonDescription: 'The activation error (Failure only).',
    },
    details: {
      required: true,
      properties: {
        // The account name shown in the app is usually the user's name or UPN: personal.
        accountName: opt(
          text({
            seed: 'Account Name',
            description: 'Account name shown in the app.',
            maxLength: MAX.name,
            personal: true,
          }),
        ),
        getActivationCodeResult: opt(
          text({
            seed: 'Get Activation Code Result',
            description: 'Result of fetching the activation code.',
            maxLength: MAX.code,
          }),
        ),
        activationStatusResult: opt(
          text({
            seed: 'Activation Status Result',
            description: 'Result of the activation status check.',
            maxLength: MAX.code,
          }),
        ),
        deviceName: opt(
          text({
            seed: 'Device Name',
            description: 'Name of the device.',
            maxLength: MAX.name,
            personal: true,
          }),
        ),
        deviceType: opt(
          text({
            seed: 'Device Type',
            description: 'Device platform, e.g. iOS or Android.',
            maxLength: MAX.code,
          }),
        ),
        appVersion: opt(
          text({
            seed: 'App Version',
            description: 'Authenticator app version.',
            maxLength: MAX.version,
          }),
        ),
        oathTokenEnabled: opt(
          bool({
            seed: 'OATH Token Enabled',
            description: 'Whether the app is also an OATH token.',
          }),
        ),
      },
    },
  }),
  defineEventType({
    type: 'mfa.UserBlocked',
    category: 'mfa',
    seedName: 'Blocks',
    description:
      'A user was blocked or reported a fraud alert (used to determine blocked state and for reporting).',
    occurredAtSeed: 'Block Timestamp',
    actor: {
      presence: 'optional',
      description:
        'Who blocked the user; absent for automatic blocks and fraud alerts the user raised.',
      upnSeed: 'Block By Username',
    },
    target: mfaUser,
    result: {
      statuses: ['Success'],
      statusSeed: null,
      statusDescription:
        'Success: the block or fraud alert was recorded (whether it blocked is `details.blocked`).',
      reasons: null,
    },
    details: {
      required: true,
      properties: {
        ...phoneFields,
        blocked: bool({ seed: 'Blocked', description: 'Whether the user is blocked.' }),
        blockReason: opt(
          text({
            seed: 'Block Reason',
            description: 'Why the user was blocked.',
            maxLength: MAX.code,
          }),
        ),
        ...completion,
        accountLockout: opt(
          bool({
            seed: 'Account Lockout',
            description: 'Whether the block came from account lockout.',
          }),
        ),
        fraudAlert: opt(
          bool({ seed: 'Fraud Alert', description: 'Whether the user reported a fraud alert.' }),
        ),
        fraudAlertNotBlocked: opt(
          bool({
            seed: 'Fraud Alert Not Blocked',
            description: 'A fraud alert that did not block the user.',
          }),
        ),
        language: opt(
          text({
            seed: 'Language',
            description: 'Language of the call or message, e.g. en-US.',
            maxLength: 35,
          }),
        ),
      },
    },
  }),
  defineEventType({
    type: 'mfa.BypassGranted',
    category: 'mfa',
    seedName: 'Bypasses',
    description: 'A one-time bypass let a user authenticate without MFA (used for reporting).',
    occurredAtSeed: 'Bypass Timestamp',
    actor: {
      presence: 'required',
      description: 'The administrator who granted the bypass.',
      upnSeed: 'Bypass By Username',
    },
    target: mfaUser,
    result: {
      statuses: ['Success'],
      statusSeed: null,
      statusDescription: 'Success: the bypass was granted.',
      reasons: null,
    },
    details: {
      required: true,
      properties: {
        bypassSeconds: int({
          seed: 'Bypass Seconds',
          description: 'How long the bypass lasts, in seconds.',
          minimum: 1,
          maximum: 31_536_000,
        }),
        ...phoneFields,
        bypassReason: opt(
          text({
            seed: 'Bypass Reason',
            description: 'Why the bypass was granted.',
            maxLength: MAX.text,
          }),
        ),
        ...completion,
        bypassUsed: opt(bool({ seed: 'Bypass Used', description: 'Whether the bypass was used.' })),
      },
    },
  }),
  defineEventType({
    type: 'mfa.UserChanged',
    category: 'mfa',
    seedName: 'Changes',
    description:
      "A change of a user's MFA settings (used to sync user changes to MFA Server or Microsoft Entra ID).",
    occurredAtSeed: 'Change Timestamp',
    actor: { presence: 'none' },
    target: mfaUser,
    result: {
      statuses: ['Success'],
      statusSeed: null,
      statusDescription: 'Success: the change was recorded.',
      reasons: null,
    },
    details: {
      required: true,
      properties: {
        newCountryCode: opt(countryCode('New Country Code', 'New country code of the phone.')),
        newPhoneNumber: opt(contact('New Phone Number', 'New phone number.', MAX.phone)),
        newExtension: opt(contact('New Extension', 'New phone extension.', MAX.extension)),
        newBackupCountryCode: opt(
          countryCode('New Backup Country Code', 'New country code of the backup phone.'),
        ),
        newBackupPhoneNumber: opt(
          contact('New Backup Phone Number', 'New backup phone number.', MAX.phone),
        ),
        newBackupExtension: opt(
          contact('New Backup Extension', 'New backup phone extension.', MAX.extension),
        ),
        newPin: opt(
          factSecret({
            seed: 'New PIN',
            description:
              'The new PIN. Secret: accepted, never stored (not even hashed); stored as the fact pinChanged: true.',
            fact: 'pinChanged',
            maxLength: 64,
          }),
        ),
        pinChanged: opt(
          bool({
            seed: null,
            description: 'Fact: the PIN was changed. Set by authtrail whenever New PIN is sent.',
          }),
        ),
        pinChangeRequired: opt(
          bool({
            seed: 'PIN Change Required',
            description: 'Whether the user must change the PIN.',
          }),
        ),
        oldDeviceToken: opt(
          text({
            seed: 'Old Device Token',
            description: 'Previous device push token.',
            maxLength: MAX.token,
            personal: true,
          }),
        ),
        newDeviceToken: opt(
          text({
            seed: 'New Device Token',
            description: 'New device push token.',
            maxLength: MAX.token,
            personal: true,
          }),
        ),
      },
    },
  }),
];
