import { ValidationError } from '@authtrail/platform';

function count(query: Record<string, unknown>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError(
      'invalid query',
      [{ path: `/${name}`, message: 'must be a non-negative integer' }],
      'LEDGER.INVALID_QUERY',
    );
  return n;
}

/** `GET /v1/ledger/seals?after=&limit=`: each a non-negative integer when given, else a 422 naming it. */
export function sealsQueryOf(query: Readonly<Record<string, unknown>>): {
  after?: number;
  limit?: number;
} {
  return { after: count(query, 'after'), limit: count(query, 'limit') };
}
