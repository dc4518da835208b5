import { createRemoteJWKSet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { ROLES, Role } from '@authtrail/key-vault';
import { UnauthenticatedError } from '../../application/api-keys.service';
import type { Principal } from '../../domain/api-key';

export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  /** JWKS location; when absent, taken from the issuer's discovery document. */
  readonly jwksUrl: string | null;
  readonly tenantClaim: string;
  readonly rolesClaim: string;
}

export const OIDC_VERIFIER = Symbol('OidcVerifier');

/** Same shape as tenant ids created through the API. */
const TENANT_ID = /^[a-z0-9][a-z0-9_]{0,62}$/;

/**
 * OIDC bearer tokens (JWTs) as an alternative to API keys: signature checked against the
 * issuer's JWKS (cached and refreshed by jose), issuer, audience and expiry enforced;
 * one claim names the tenant, another the roles (unknown roles are ignored).
 */
export class OidcVerifier {
  private jwks: JWTVerifyGetKey | null = null;

  constructor(private readonly settings: OidcSettings) {}

  /** A JWT has three base64url parts; API keys never do. */
  matches(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: 30,
        // A token without an expiry would never expire; symmetric and "none" algorithms
        // have no place with a JWKS.
        requiredClaims: ['exp', 'sub'],
        algorithms: [
          'RS256',
          'RS384',
          'RS512',
          'PS256',
          'PS384',
          'PS512',
          'ES256',
          'ES384',
          'ES512',
          'EdDSA',
        ],
      });
      const tenant = payload[this.settings.tenantClaim];
      const rawRoles = payload[this.settings.rolesClaim];
      const roles = (
        Array.isArray(rawRoles)
          ? rawRoles
          : typeof rawRoles === 'string'
            ? rawRoles.split(/[ ,]+/)
            : []
      ).filter((r): r is Role => typeof r === 'string' && ROLES.includes(r as Role));
      // Tenant ids name streams (`t-{tenant}-…`): only well-formed ones are accepted.
      if (typeof tenant !== 'string' || !TENANT_ID.test(tenant) || typeof payload.sub !== 'string')
        throw new UnauthenticatedError();
      return { tenantId: tenant, keyId: `oidc:${payload.sub}`, roles };
    } catch (e) {
      if (e instanceof UnauthenticatedError) throw e;
      throw new UnauthenticatedError();
    }
  }

  private async keySet(): Promise<JWTVerifyGetKey> {
    if (this.jwks) return this.jwks;
    let url = this.settings.jwksUrl;
    if (url === null) {
      const res = await fetch(
        new URL(
          '.well-known/openid-configuration',
          this.settings.issuer.endsWith('/') ? this.settings.issuer : `${this.settings.issuer}/`,
        ),
      );
      const doc = (await res.json()) as { jwks_uri?: string };
      if (!doc.jwks_uri) throw new UnauthenticatedError();
      url = doc.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(url), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
    return this.jwks;
  }
}
