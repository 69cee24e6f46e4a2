#!/usr/bin/env node
// Installs a pinned moto (its S3-compatible server) from PyPI into a virtual environment in .moto/, for the
// tests that run the S3 evidence store against a real S3 API with SigV4 checked. The product itself only
// needs a bucket and @aws-sdk/client-s3. `npm run setup:s3`; CI runs it before the tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PIN = 'moto[server]==5.2.5';
const version = PIN.split('==')[1];
const venv = fileURLToPath(new URL('../.moto/', import.meta.url));
const pip = `${venv}bin/pip`;
const python = process.env.PYTHON ?? 'python3';
const run = (command, args) =>
  execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } });

const installed = () => {
  try {
    return execFileSync(`${venv}bin/python`, ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
};

if (existsSync(pip) && existsSync(`${venv}bin/moto_server`) && installed() === version) {
  console.log(`install-s3: ${PIN} already in .moto/`);
} else {
  console.log(`install-s3: ${python} -m venv .moto && pip install ${PIN} (a minute the first time)`);
  try {
    run(python, ['-m', 'venv', venv]);
    run(pip, ['install', '--quiet', '--disable-pip-version-check', PIN]);
  } catch (err) {
    console.error(
      `install-s3: could not install ${PIN} (${err.message}). Install Python 3 with venv and pip, then run \`npm run setup:s3\` again.`,
    );
    process.exit(1);
  }
}
