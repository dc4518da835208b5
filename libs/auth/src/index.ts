export * from './domain/api-key';
export * from './application/api-keys.service';
export * from './infrastructure/http/access.decorator';
export * from './infrastructure/http/auth.guard';
export * from './domain/rate-limiter';
export * from './infrastructure/oidc/oidc-verifier';
export * from './application/create-key.request';
export * from './infrastructure/auth.module';
