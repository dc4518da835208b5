import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The console is served by the API at /console/ from dist/console; everything is bundled
// (no CDN at run time). Front-end files are .mts so the server's tsconfig (apps/**/*.ts)
// never compiles them; apps/console/tsconfig.json type-checks them with the DOM library.
export default defineConfig({
  root: here,
  base: '/console/',
  // Copied as they are (no hash): the favicon, which /favicon.ico also leads to.
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
