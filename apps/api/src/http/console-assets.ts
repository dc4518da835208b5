import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The built console is static and carries no tenant data: data comes from the JSON API with the user's own key. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `vite build` put the console (`dist/console`), found by walking up from this
 * file: it sits at another depth in the sources (tests) than in `dist/` (builds).
 */
export function findConsoleDir(from: string = __dirname): string | null {
  let dir = from;
  for (let i = 0; i < 12; i++) {
    const candidate = join(dir, 'dist', 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/**
 * Serves the compliance console at `/console/` (no key needed for the files; the page
 * asks for one). Without a build, `/console/` says how to make one.
 */
export function registerConsole(app: NestFastifyApplication, root = findConsoleDir()): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (root === null) {
    const notBuilt = async (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build:console` (or `npm run build`).\n');
    fastify.get('/console', notBuilt);
    fastify.get('/console/*', notBuilt);
    return;
  }
  // `/console` without the slash is what people type: send them to the page (relative
  // asset URLs need the slash), keeping any query.
  fastify.get('/console', async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.url.indexOf('?');
    return reply.redirect(q === -1 ? '/console/' : `/console/${req.url.slice(q)}`, 301);
  });
  app.useStaticAssets({
    root,
    prefix: '/console/',
    decorateReply: false,
    redirect: true,
    index: ['index.html'],
    // @fastify/static passes its reply here (Nest's type names a narrower shape).
    setHeaders: (res, path) => {
      const reply = res as unknown as FastifyReply;
      void reply.header('content-security-policy', CONSOLE_CSP);
      // Vite names assets by content hash: they never change under the same name.
      void reply.header(
        'cache-control',
        /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // Browsers ask every site for /favicon.ico (the /docs page too): the console's icon.
  fastify.get('/favicon.ico', (_req: FastifyRequest, reply: FastifyReply) =>
    reply.redirect('/console/favicon.svg', 301),
  );
}
