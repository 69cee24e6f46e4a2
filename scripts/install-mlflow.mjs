#!/usr/bin/env node
// Installs a pinned MLflow from PyPI into a virtual environment in .mlflow/, for the tests that run the
// MLflow model-registry provider against a real MLflow server (SQLite backend). The product itself only
// speaks MLflow's REST API and needs none of this. `npm run setup:mlflow`; CI runs it before the tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PIN = 'mlflow==3.17.2';
const venv = fileURLToPath(new URL('../.mlflow/', import.meta.url));
const pip = `${venv}bin/pip`;
const python = process.env.PYTHON ?? 'python3';
const run = (command, args) =>
  execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } });

const installed = () => {
  try {
    return execFileSync(`${venv}bin/python`, ['-c', 'import importlib.metadata as m; print(m.version("mlflow"))'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
};

if (existsSync(pip) && installed() === PIN.split('==')[1]) {
  console.log(`install-mlflow: ${PIN} already in .mlflow/`);
} else {
  console.log(`install-mlflow: ${python} -m venv .mlflow && pip install ${PIN} (a few minutes the first time)`);
  try {
    run(python, ['-m', 'venv', venv]);
    run(pip, ['install', '--quiet', '--disable-pip-version-check', PIN]);
  } catch (err) {
    console.error(
      `install-mlflow: could not install ${PIN} (${err.message}). Install Python 3 with venv and pip, then run \`npm run setup:mlflow\` again.`,
    );
    process.exit(1);
  }
}
