import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Role } from '@authtrail/key-vault';
import type { Principal } from '../../domain/api-key';

export const ACCESS_METADATA = 'authtrail:access';

export type AccessRule = { readonly public: true } | { readonly roles: readonly Role[] };

/** Roles allowed on a route (any one of them). Every route must carry `@Access` or `@Public`. */
export const Access = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { roles } satisfies AccessRule);

/** A route that needs no credential and carries no tenant data. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
    if (!req.principal) throw new Error('CurrentPrincipal used on a route without authentication');
    return req.principal;
  },
);
