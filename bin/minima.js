#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm install` through the `prepare` script).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err && err.code === 'ERR_MODULE_NOT_FOUND'
    ? 'minima: dist/ is missing; run `npm run build` (npm install does it for you).'
    : err);
  process.exit(1);
});
