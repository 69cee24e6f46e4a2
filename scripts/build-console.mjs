#!/usr/bin/env node
// Builds the web console into dist/console: its TypeScript compiled for the browser (app/console/tsconfig.json),
// the page and stylesheet, and Chart.js's browser bundle, so the console works offline (no CDN). A pure module
// the console shares with the server (e.g. workflows/incident/evidence-summary.ts) is served beside the
// console's own files: it is copied flat and the import that names it is pointed there.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
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
const own = readdirSync(compiled).filter((f) => f.endsWith('.js'));
const shared = new Map(); // flat name → compiled path
const IMPORT = /(from\s+|import\s*\(\s*)'(\.\.\/[^']+\.js)'/g;
for (const file of own) {
  const text = readFileSync(join(compiled, file), 'utf8').replace(IMPORT, (_, keyword, specifier) => {
    const path = join(compiled, specifier);
    const name = basename(path);
    if (own.includes(name) || (shared.has(name) && shared.get(name) !== path))
      throw new Error(`build-console: ${relative(root, path)} would be served as ${name}, which is taken`);
    shared.set(name, path);
    return `${keyword}'./${name}'`;
  });
  writeFileSync(join(out, file), text);
}
for (const [name, path] of shared) {
  const text = readFileSync(path, 'utf8');
  if (/^\s*(import|export)\s[^;]*\bfrom\s+'/m.test(text))
    throw new Error(`build-console: ${relative(root, path)} is shared with the console, so it must import nothing`);
  writeFileSync(join(out, name), text);
}
for (const file of ['index.html', 'style.css']) copyFileSync(join(root, 'app', 'console', file), join(out, file));
copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), join(out, 'chart.umd.min.js'));
console.log(`Console: ${out}`);
