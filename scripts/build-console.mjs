#!/usr/bin/env node
// Builds the web console into dist/console: its TypeScript compiled for the browser (app/console/tsconfig.json),
// the page and stylesheet, and Chart.js's browser bundle, so the console works offline (no CDN).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const compiled = join(root, 'dist', 'console-build', 'app', 'console');
const out = join(root, 'dist', 'console');

execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'app', 'console', 'tsconfig.json')],
  { stdio: 'inherit' },
);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const file of readdirSync(compiled).filter((f) => f.endsWith('.js')))
  copyFileSync(join(compiled, file), join(out, file));
for (const file of ['index.html', 'style.css']) copyFileSync(join(root, 'app', 'console', file), join(out, file));
copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), join(out, 'chart.umd.min.js'));
console.log(`Console: ${out}`);
