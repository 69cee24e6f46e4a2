// Which suite each test file belongs to, by what it needs to run (scripts/test-suite.mjs runs one;
// `npm test` runs every file). test/suites.test.ts fails when a test file is in no suite or in two.
export const TEST_SUITES = {
  /** Nothing but node: pure code, the CLI on files, in-process contract fakes on 127.0.0.1, stored-history replay. */
  unit: [
    'alert-parsing',
    'alert-routing',
    'architecture',
    'body-budget',
    'cluster-docs',
    'config',
    'directory-channels',
    'github-tickets',
    'http-step-safety',
    'http-limits',
    'incident-id',
    'intake-batcher',
    'jira-tickets',
    'kpis',
    'launchdarkly-flags',
    'local-time',
    'local-flag-provider',
    'local-log-notifier',
    'local-model-registry',
    'log',
    'notify-channels',
    'notify-email',
    'openapi',
    'path-spellings',
    'personal-tokens',
    'pagerduty-paging',
    'postmortem',
    'redaction',
    'redaction-properties',
    'refusal-recorder',
    'replay',
    'replay-guard',
    'runbooks',
    'slack-chat',
    'suites',
    'temporal-binaries',
  ],
  /** A real Temporal dev server and a worker in the test process (test/support/temporal.ts). */
  'dev-server': [
    'alert-auto-resolve',
    'authorization',
    'oidc',
    'alert-intake',
    'alert-intake-limits',
    'alerts-lambda',
    'console-guard',
    'continue-as-new',
    'http-api',
    'incident-workflow',
    'read-side',
    'slack-lambda',
    'webhook-signatures',
  ],
  /** Temporal's time-skipping test server (test/support/time-skipping.ts, app/drill.ts). */
  'time-skipping': [
    'corrective-actions',
    'drills',
    'http-steps',
    'reminder-digests',
    'severity-and-reminders',
    'status-updates',
  ],
  /** The whole product as `npm start` runs it, on a dev server (test/support/product.ts). */
  product: ['alerts', 'chaos', 'e2e', 'fuzz', 'limits', 'notify-e2e', 'shutdown', 'slack'],
  /** The product driven in Chromium (skipped without it, outside CI). */
  browser: ['console'],
  /** A real MLflow server (`npm run setup:mlflow`; skipped without it). */
  mlflow: ['mlflow-registry'],
  /** The product as `npm start` runs it, twice, on a real Temporal cluster (`npm run setup:cluster`; skipped without it, outside CI). */
  cluster: ['cluster'],
} as const satisfies Record<string, readonly string[]>;

export type TestSuite = keyof typeof TEST_SUITES;
