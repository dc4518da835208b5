import { AppError, type AppErrorOptions, Clock } from '@authtrail/platform';
import { CredentialRecord, CredentialStore, Role, ROLES } from '@authtrail/key-vault';
import {
  Principal,
  generateApiKey,
  keyFromConfiguredSecret,
  hashSecret,
  parseApiKey,
  secretMatches,
} from '../domain/api-key';

export class UnauthenticatedError extends AppError {
  constructor() {
    super(
      'AUTH.UNAUTHENTICATED',
      'unauthenticated',
      'missing, malformed, unknown, expired or revoked credential',
    );
  }
}

export class ForbiddenError extends AppError {
  constructor(
    message = 'this credential lacks the role for this action',
    options: AppErrorOptions = {},
  ) {
    super('AUTH.FORBIDDEN', 'forbidden', message, options);
  }

  /** The route needs one of `required`; the credential holds `held`: both are named, so the fix is obvious. */
  static missingRole(required: readonly Role[], held: readonly Role[]): ForbiddenError {
    const need =
      required.length === 1 ? `the role ${required[0]}` : `one of the roles ${required.join(', ')}`;
    const has = held.length === 0 ? 'no role' : held.join(', ');
    return new ForbiddenError(
      `this action needs ${need}; this credential has ${has}. Create a key with ${need} (POST /v1/keys, tenant-admin) and use it`,
      { extensions: { requiredRoles: [...required], heldRoles: [...held] } },
    );
  }
}

export interface CreatedKey {
  readonly id: string;
  readonly key: string;
  readonly roles: readonly Role[];
  readonly name: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
}

export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

const toView = (r: CredentialRecord): KeyView => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

export function assertRoles(roles: unknown): asserts roles is Role[] {
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r) => ROLES.includes(r as Role))
  ) {
    throw new AppError('KEY.INVALID', 'invalid', 'roles must be a non-empty list of known roles', {
      errors: [{ path: '/roles', message: `each role must be one of ${ROLES.join(', ')}` }],
    });
  }
}

/** Issues, checks and revokes API keys. */
export class ApiKeysService {
  /** Last-used writes are coalesced: at most one per key per this interval. */
  private static readonly TOUCH_INTERVAL_MS = 60_000;
  private readonly lastTouch = new Map<string, number>();
  /** Process-local tokens of the CLI's in-process server; never stored anywhere. */
  private readonly ephemeral = new Map<string, Principal>();

  constructor(
    private readonly store: CredentialStore,
    private readonly clock: Clock,
  ) {}

  async create(
    tenantId: string,
    input: { roles: Role[]; name?: string; expiresAt?: Date | null },
    fixed?: string,
  ): Promise<CreatedKey> {
    assertRoles(input.roles);
    const roles = [...new Set(input.roles)];
    const generated = fixed === undefined ? generateApiKey() : keyFromConfiguredSecret(fixed);
    const now = this.clock.now();
    const record: CredentialRecord = {
      id: generated.id,
      tenantId,
      name: input.name ?? '',
      roles,
      secretHash: hashSecret(generated.secret),
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.insert(record);
    return {
      id: record.id,
      key: generated.key,
      roles,
      name: record.name,
      createdAt: now.toISOString(),
      expiresAt: record.expiresAt?.toISOString() ?? null,
    };
  }

  /**
   * A token valid only inside this process, for the CLI when it opens the stores itself
   * (whoever can do that already holds the data dir and its master key).
   */
  issueEphemeral(tenantId: string, roles: readonly Role[]): string {
    const { key, id } = generateApiKey();
    this.ephemeral.set(key, { tenantId, keyId: `cli-${id}`, roles });
    return key;
  }

  /** Resolves a bearer token to its principal, or throws `UnauthenticatedError`. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthenticatedError();
    const local = this.ephemeral.get(token);
    if (local) return local;
    const parsed = parseApiKey(token) ?? keyFromConfiguredSecret(token);
    const record = await this.store.findById(parsed.id);
    // Compare even when the record is missing, so timing does not tell which ids exist.
    const ok = secretMatches(parsed.secret, record?.secretHash ?? '0'.repeat(64));
    const now = this.clock.now();
    if (
      !record ||
      !ok ||
      record.revokedAt !== null ||
      (record.expiresAt !== null && record.expiresAt <= now)
    ) {
      throw new UnauthenticatedError();
    }
    const last = this.lastTouch.get(record.id) ?? 0;
    if (now.getTime() - last >= ApiKeysService.TOUCH_INTERVAL_MS) {
      this.lastTouch.set(record.id, now.getTime());
      await this.store.touch(record.id, now);
    }
    return { tenantId: record.tenantId, keyId: record.id, roles: record.roles };
  }

  async list(tenantId: string): Promise<KeyView[]> {
    return (await this.store.listByTenant(tenantId)).map(toView);
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    return this.store.revoke(tenantId, id, this.clock.now());
  }

  async exists(id: string): Promise<boolean> {
    return (await this.store.findById(id)) !== null;
  }
}
