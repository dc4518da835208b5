/** Keyset position of a list page: the sort instant (ms) and the tiebreaking id of the last item. */
export interface PageCursor {
  readonly at: number;
  readonly id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id]), 'utf8').toString('base64url');
}

/** Null when the text is not a cursor this service made. */
export function decodeCursor(text: string): PageCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      v[1].length <= 200
    ) {
      return { at: v[0] as number, id: v[1] };
    }
  } catch {
    /* not base64url JSON */
  }
  return null;
}
