import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import {
  ApiKeysService,
  ForbiddenError,
  UnauthenticatedError,
} from '../../application/api-keys.service';
import { Principal, hasAnyRole } from '../../domain/api-key';
import { ACCESS_METADATA, AccessRule } from './access.decorator';
import { AppError } from '@authtrail/platform';
import { RateLimiter } from '../../domain/rate-limiter';
import { OIDC_VERIFIER, OidcVerifier } from '../oidc/oidc-verifier';

export const RATE_LIMITER = Symbol('RateLimiter');

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      'AUTH.RATE_LIMITED',
      'rate-limited',
      `too many requests for this credential; retry after ${retryAfterSeconds} s`,
      {
        retriable: true,
        extensions: { retryAfterSeconds },
      },
    );
  }
}

/**
 * The one guard every route passes through (registered as APP_GUARD). A route without
 * an access rule is refused: forgetting to declare access can never open a route.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures = new RateLimiter(20, 100);

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Optional() @Inject(RATE_LIMITER) private readonly limiter?: RateLimiter,
    @Optional() @Inject(OIDC_VERIFIER) private readonly oidc?: OidcVerifier | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule && 'public' in rule) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const header = req.headers.authorization;
    const token =
      typeof header === 'string' && /^Bearer\s+/i.test(header)
        ? header.replace(/^Bearer\s+/i, '').trim()
        : undefined;
    if (!token) throw new UnauthenticatedError();
    let principal: Principal;
    try {
      principal = this.oidc?.matches(token)
        ? await this.oidc.verify(token)
        : await this.keys.authenticate(token);
    } catch (e) {
      // Failed attempts are limited per client address: guessing costs time, and a flood
      // of bad credentials cannot keep the credential store (or the JWKS) busy.
      const wait = this.failures.take(`ip:${req.ip}`, Date.now());
      if (wait > 0) throw new RateLimitedError(wait);
      throw e;
    }
    req.principal = principal;
    const wait = this.limiter?.take(principal.keyId, Date.now()) ?? 0;
    if (wait > 0) throw new RateLimitedError(wait);
    if (!rule) throw new ForbiddenError('this route declares no access rule');
    if (!hasAnyRole(principal, rule.roles)) {
      throw ForbiddenError.missingRole(rule.roles, principal.roles);
    }
    return true;
  }
}
