#!/usr/bin/env node
// Runs the built test files of one or more suites (test/support/suites.ts), one file at a time as `npm test` does.
// Usage: node scripts/test-suite.mjs SUITE... [--node-test-option...], e.g. `npm run test:unit -- --test-concurrency=4`
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = new URL('../dist/test/support/suites.js', import.meta.url);
if (!existsSync(built)) {
  console.error('test-suite: dist/ is not built; run `npm run build` first');
  process.exit(2);
}
const { TEST_SUITES } = await import(built.href);

const args = process.argv.slice(2);
const suites = args.filter((a) => !a.startsWith('-'));
const options = args.filter((a) => a.startsWith('-'));
const unknown = suites.filter((s) => !Object.hasOwn(TEST_SUITES, s));
if (!suites.length || unknown.length) {
  console.error(
    `test-suite: ${unknown.length ? `no suite ${unknown.map((s) => `"${s}"`).join(', ')}` : 'name a suite'} (suites: ${Object.keys(TEST_SUITES).join(', ')})`,
  );
  process.exit(2);
}

const files = suites.flatMap((s) => TEST_SUITES[s].map((name) => `dist/test/${name}.test.js`));
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...options, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
