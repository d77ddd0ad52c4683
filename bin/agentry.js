#!/usr/bin/env node
// The CLI is TypeScript compiled into dist/ by `npm run build`, which `prepare` runs on `npm install`.
try {
  await import('../dist/cli.js');
} catch (error) {
  const missingBuild = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js');
  if (!missingBuild) throw error;
  process.stderr.write('agentry: dist/cli.js is missing; run "npm run build" in the Agentry checkout first.\n');
  process.exitCode = 1;
}
