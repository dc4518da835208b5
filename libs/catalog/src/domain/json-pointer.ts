/** RFC 6901 escaping of one reference token. */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Sets `value` at `pointer` in `target`, creating containers on the way (an array when
 * the next token is an index). Only pointers under `roots` are accepted, so a corrupted
 * or hostile pointer cannot reach anything else.
 */
export function setAtPointer(
  target: Record<string, unknown>,
  pointer: string,
  value: unknown,
  roots: ReadonlySet<string>,
): void {
  const tokens = pointer.split('/');
  if (tokens[0] !== '' || tokens.length < 3 || !roots.has(tokens[1])) {
    throw new Error(`personal field pointer outside ${[...roots].join(', ')}: ${pointer}`);
  }
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 1; i < tokens.length; i++) {
    const key = unescapeToken(tokens[i]);
    if (FORBIDDEN.has(key)) throw new Error(`forbidden pointer token in ${pointer}`);
    const last = i === tokens.length - 1;
    const container = node as Record<string, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    let next = container[key];
    if (next === undefined || next === null || typeof next !== 'object') {
      next = /^(0|[1-9][0-9]*)$/.test(tokens[i + 1]) ? [] : {};
      container[key] = next;
    }
    node = next as Record<string, unknown> | unknown[];
  }
}
