#!/usr/bin/env node
// Installs a pinned MLflow from PyPI into a virtual environment in .mlflow/, for the tests that run the
// MLflow model-registry provider against a real MLflow server (SQLite backend). The product itself only
// speaks MLflow's REST API and needs none of this. `npm run setup:mlflow`; CI runs it before the tests.
import { installPinned } from './pinned-venv.mjs';

installPinned({
  tool: 'install-mlflow',
  pin: 'mlflow==3.17.2',
  distribution: 'mlflow',
  dir: '.mlflow',
  setup: 'npm run setup:mlflow',
  took: 'a few minutes the first time',
});
