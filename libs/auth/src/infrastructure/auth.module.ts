import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CREDENTIAL_STORE, CredentialStore } from '@authtrail/key-vault';
import { CLOCK, Clock } from '@authtrail/platform';
import { ApiKeysService } from '../application/api-keys.service';
import { RateLimiter } from '../domain/rate-limiter';
import { RATE_LIMITER } from './http/auth.guard';
import { OIDC_VERIFIER, OidcVerifier } from './oidc/oidc-verifier';

/**
 * Who calls: API keys over the credential store, the OIDC verifier when an issuer is
 * configured (else null), and the per-key rate limiter. Uses the runtime's config, clock
 * and credential store.
 */
@Module({
  providers: [
    {
      provide: ApiKeysService,
      useFactory: (credentials: CredentialStore, clock: Clock) =>
        new ApiKeysService(credentials, clock),
      inject: [CREDENTIAL_STORE, CLOCK],
    },
    {
      provide: OIDC_VERIFIER,
      useFactory: (config: AppConfig) => (config.oidc ? new OidcVerifier(config.oidc) : null),
      inject: [APP_CONFIG],
    },
    {
      provide: RATE_LIMITER,
      useFactory: (config: AppConfig) =>
        new RateLimiter(config.rateLimit.perKeyPerSecond, config.rateLimit.burst),
      inject: [APP_CONFIG],
    },
  ],
  exports: [ApiKeysService, OIDC_VERIFIER, RATE_LIMITER],
})
export class AuthModule {}
