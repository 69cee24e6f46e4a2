// Installs a pinned PyPI package into a virtual environment of the project's (.mlflow/, .moto/), for the
// tests that run a real open-source server; a no-op when that version is already there.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `pin`: 'name==version' (extras allowed); `dir`: the venv under the project root; `entry`: a file it must hold. */
export function installPinned({ tool, pin, distribution, dir, entry = 'bin/python', setup, took }) {
  const version = pin.split('==')[1];
  const venv = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
  const pip = `${venv}bin/pip`;
  const python = process.env.PYTHON ?? 'python3';
  const run = (command, args) =>
    execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } });
  const installed = () => {
    try {
      const script = `import importlib.metadata as m; print(m.version("${distribution}"))`;
      return execFileSync(`${venv}bin/python`, ['-c', script], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  if (existsSync(pip) && existsSync(`${venv}${entry}`) && installed() === version) {
    console.log(`${tool}: ${pin} already in ${dir}/`);
    return;
  }
  console.log(`${tool}: ${python} -m venv ${dir} && pip install ${pin} (${took})`);
  try {
    run(python, ['-m', 'venv', venv]);
    run(pip, ['install', '--quiet', '--disable-pip-version-check', pin]);
  } catch (err) {
    console.error(
      `${tool}: could not install ${pin} (${err.message}). Install Python 3 with venv and pip, then run \`${setup}\` again.`,
    );
    process.exit(1);
  }
}
