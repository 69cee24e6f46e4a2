#!/usr/bin/env node
// Installs a pinned moto (its S3-compatible server) from PyPI into a virtual environment in .moto/, for the
// tests that run the S3 evidence store against a real S3 API with SigV4 checked. The product itself only
// needs a bucket and @aws-sdk/client-s3. `npm run setup:s3`; CI runs it before the tests.
import { installPinned } from './pinned-venv.mjs';

installPinned({
  tool: 'install-s3',
  pin: 'moto[server]==5.2.5',
  distribution: 'moto',
  dir: '.moto',
  entry: 'bin/moto_server',
  setup: 'npm run setup:s3',
  took: 'a minute the first time',
});
