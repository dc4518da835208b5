import { randomUUID } from 'node:crypto';
import type { Person, ProducerEvent } from '../domain/catalog.types';

/**
 * Valid, realistic producer events for tests. Not for production code: ids are random
 * and `occurredAt` defaults to one minute ago, so every example is inside its retention
 * window and not in the future whenever the test runs.
 */

const KIM: Person = {
  userPrincipalName: 'kim@contoso.com',
  displayName: 'Kim Akers',
  role: 'User',
};
const HELPDESK: Person = {
  userPrincipalName: 'helpdesk@contoso.com',
  displayName: 'Help Desk',
  role: 'HelpdeskAdministrator',
};
const MFA_ADMIN: Person = {
  userPrincipalName: 'mfa-admin@contoso.com',
  displayName: 'MFA Admin',
  role: 'AuthenticationAdministrator',
};

type Body = Omit<ProducerEvent, 'eventId' | 'type' | 'occurredAt'>;

const BODIES: Readonly<Record<string, () => Body>> = {
  'sspr.BlockedFromReset': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Success' },
    details: { throttledOperation: 'PasswordReset' },
  }),
  'sspr.PasswordChanged': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
    details: { trigger: 'Expired' },
  }),
  'sspr.PasswordResetByAdmin': () => ({
    correlationId: 'req-7f3a91',
    actor: { ...HELPDESK },
    target: { ...KIM },
    result: { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
    details: { onPremisesAgent: 'EntraConnect' },
  }),
  'sspr.PasswordResetSelfService': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Success' },
    details: { methods: ['MobilePhone', 'AlternateEmail'] },
  }),
  'sspr.ResetFlowProgressed': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Success', reason: 'User verified their mobile phone' },
    details: { step: 'VerifyMobilePhone', method: 'MobilePhone' },
  }),
  'sspr.AccountUnlocked': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Success' },
  }),
  'sspr.Registered': () => ({
    actor: { ...KIM },
    target: { ...KIM },
    result: { status: 'Success' },
    details: { methods: ['AlternateEmail', 'MobilePhone'] },
  }),
  'sspr.PolicyChanged': () => ({
    actor: { userPrincipalName: 'admin@contoso.com', displayName: 'Contoso Admin' },
    result: { status: 'Success' },
    details: {
      policy: 'Self-service password reset policy',
      changes: [
        { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '1', newValue: '2' },
        { property: 'SecurityQuestionsEnabled', oldValue: 'true', newValue: 'false' },
      ],
    },
  }),
  'mfa.AuthenticationAttempted': () => ({
    target: { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' },
    result: { status: 'Success', reason: 'Success: mobile app notification approved' },
    details: {
      firstName: 'Kim',
      lastName: 'Akers',
      emailAddress: 'kim.akers@contoso.com',
      userGroup: 'Finance',
      authenticationMethod: 'MobileApp',
      mobileAppMode: 'Standard',
      authenticationType: 'RADIUS',
      applicationName: 'VPN Gateway',
      primaryCallCountryCode: '1',
      primaryCallPhoneNumber: '4255550123',
      primaryCallExtension: '12',
      primaryCallAuthenticated: false,
      primaryCallResult: 'NOT_ATTEMPTED',
      results: [{ authenticated: true, result: 'SUCCESS_APP_APPROVED' }],
      initiatingIpAddress: '203.0.113.7',
      devices: [
        {
          deviceToken: 'apns-3f9c2b7e1d',
          deviceType: 'iOS',
          mobileAppVersion: '6.8.2',
          osVersion: '17.4',
          result: 'NOTIFIED',
          usedCheckForNotification: false,
        },
      ],
    },
  }),
  'mfa.AppActivated': () => ({
    target: { userPrincipalName: 'kim@contoso.com' },
    result: { status: 'Success' },
    details: {
      accountName: 'Contoso: kim@contoso.com',
      getActivationCodeResult: 'SUCCESS',
      activationStatusResult: 'ACTIVATED',
      deviceName: "Kim's iPhone",
      deviceType: 'iOS',
      appVersion: '6.8.2',
      oathTokenEnabled: true,
    },
  }),
  'mfa.UserBlocked': () => ({
    target: { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' },
    result: { status: 'Success' },
    details: {
      countryCode: '1',
      phoneNumber: '4255550123',
      phoneNumberFormatted: '+1 (425) 555-0123',
      blocked: true,
      blockReason: 'Fraud alert reported by user',
      fraudAlert: true,
      fraudAlertNotBlocked: false,
      accountLockout: false,
      language: 'en-US',
    },
  }),
  'mfa.BypassGranted': () => ({
    actor: { ...MFA_ADMIN },
    target: { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' },
    result: { status: 'Success' },
    details: {
      bypassSeconds: 300,
      countryCode: '1',
      phoneNumber: '4255550123',
      phoneNumberFormatted: '+1 (425) 555-0123',
      extension: '12',
      cleanExtension: '12',
      bypassReason: 'Phone lost, identity verified by helpdesk',
      bypassUsed: false,
    },
  }),
  'mfa.UserChanged': () => ({
    target: { userPrincipalName: 'kim@contoso.com' },
    result: { status: 'Success' },
    details: {
      newCountryCode: '44',
      newPhoneNumber: '7700900123',
      newBackupCountryCode: '1',
      newBackupPhoneNumber: '4255550199',
      newPin: '482915',
      pinChangeRequired: false,
      oldDeviceToken: 'apns-3f9c2b7e1d',
      newDeviceToken: 'apns-8a1e5c0f42',
    },
  }),
};

/** Producer event types that have an example (every producer-postable type). */
export const exampleTypes: readonly string[] = Object.keys(BODIES);

/** Members to replace in an example; a member set to `undefined` is removed. */
export type ExampleOverrides = Partial<ProducerEvent>;

/** Members to merge into an example, one level deep; a value of `undefined` removes that key. */
export type ExamplePatch = {
  [K in keyof ProducerEvent]?: K extends 'actor' | 'target' | 'result' | 'details'
    ? Record<string, unknown> | undefined
    : ProducerEvent[K] | undefined;
};

function base(type: string): Record<string, unknown> {
  const body = BODIES[type];
  if (body === undefined) throw new Error(`no example for event type ${type}`);
  return {
    eventId: randomUUID(),
    type,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    ...body(),
  };
}

/**
 * A valid, realistic event of `type`. Each member of `overrides` replaces the example's
 * member whole (a person, the result, the details); `undefined` removes it.
 */
export function exampleEvent(type: string, overrides: ExampleOverrides = {}): ProducerEvent {
  const event = base(type);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event as unknown as ProducerEvent;
}

const NESTED = new Set(['actor', 'target', 'result', 'details']);

/**
 * Like `exampleEvent`, but `actor`, `target`, `result` and `details` are merged one level
 * deep: `patchedExample('sspr.Registered', { details: { methods: ['OfficePhone'] } })`
 * changes one field and keeps the rest; `{ details: { methods: undefined } }` drops it.
 */
export function patchedExample(type: string, patch: ExamplePatch = {}): ProducerEvent {
  const event = base(type);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete event[key];
    else if (
      NESTED.has(key) &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      const merged: Record<string, unknown> = {
        ...((event[key] as Record<string, unknown> | undefined) ?? {}),
      };
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) delete merged[k];
        else merged[k] = v;
      }
      event[key] = merged;
    } else event[key] = value;
  }
  return event as unknown as ProducerEvent;
}

/** One example of every producer type. */
export function exampleEvents(): ProducerEvent[] {
  return exampleTypes.map((t) => exampleEvent(t));
}
