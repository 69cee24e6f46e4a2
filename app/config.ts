import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ENV_ALLOW_ENTRY } from '../runbooks/http-env.js';

const port = z.coerce
  .number({ error: 'must be a port number (1-65535)' })
  .int('must be a whole port number (1-65535)')
  .min(1, 'must be a port number (1-65535)')
  .max(65535, 'must be a port number (1-65535)');

const seconds = z.coerce
  .number({ error: 'must be a number of seconds' })
  .positive('must be more than 0 seconds')
  .max(3600, 'must be at most 3600 seconds');

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** A webhook's signing secret: short ones can be guessed offline from one signed delivery. */
const webhookSecret = optionalText.pipe(z.string().min(16, 'must be at least 16 characters when set').optional());

/** all: the API and a worker in one process; api / worker: one of them, beside the other's processes on a cluster. */
export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Every environment variable the server reads, parsed once at start. */
export const serverEnvSchema = z.object({
  HOST: z.string().trim().min(1, 'must be a host name or IP address').default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().trim().min(1, 'must be a directory path').default('.data'),
  FLAGS_FILE: optionalText,
  TICKETS_FILE: optionalText,
  NOTIFICATIONS_FILE: optionalText,
  LAUNCHDARKLY_API_TOKEN: optionalText,
  LAUNCHDARKLY_PROJECT_KEY: optionalText,
  LAUNCHDARKLY_ENVIRONMENT_KEY: optionalText,
  LAUNCHDARKLY_API_URL: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  LAUNCHDARKLY_SDK_KEY: optionalText,
  LAUNCHDARKLY_BASE_URI: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  LAUNCHDARKLY_STREAM_URI: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  LAUNCHDARKLY_EVENTS_URI: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  MLFLOW_TRACKING_URI: optionalText.pipe(
    z.url({ error: 'must be the http(s) URL of your MLflow tracking server' }).optional(),
  ),
  MLFLOW_TRACKING_TOKEN: optionalText,
  MLFLOW_TRACKING_USERNAME: optionalText,
  MLFLOW_TRACKING_PASSWORD: optionalText,
  MODELS_FILE: optionalText,
  GITHUB_TOKEN: optionalText,
  GITHUB_REPOSITORY: optionalText.pipe(
    z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name')
      .optional(),
  ),
  GITHUB_API_URL: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  GITHUB_WEBHOOK_SECRET: webhookSecret,
  JIRA_BASE_URL: optionalText.pipe(
    z.url({ error: 'must be your site URL such as https://acme.atlassian.net' }).optional(),
  ),
  JIRA_EMAIL: optionalText,
  JIRA_API_TOKEN: optionalText,
  JIRA_PROJECT_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Z][A-Z0-9_]+$/, 'must be a project key such as AI')
      .optional(),
  ),
  JIRA_WEBHOOK_SECRET: webhookSecret,
  PAGERDUTY_ROUTING_KEY: optionalText,
  PAGERDUTY_API_TOKEN: optionalText,
  PAGERDUTY_EVENTS_SERVER: optionalText.pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9.-]+(:\d{1,5})?$/,
        'must be a host name with an optional port (pdjs always uses https://<server>/v2/enqueue)',
      )
      .optional(),
  ),
  PAGERDUTY_API_URL: optionalText.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  SLACK_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xoxb-/, "must be a bot token (xoxb-…) from your Slack app's OAuth & Permissions page")
      .optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText.pipe(
    z.string().min(16, "must be the signing secret from your Slack app's Basic Information page").optional(),
  ),
  SLACK_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xapp-/, 'must be an app-level token (xapp-…) with connections:write, for Socket Mode')
      .optional(),
  ),
  SLACK_API_URL: optionalText.pipe(
    z.url({ error: 'must be an http(s) URL such as https://slack.com/api/' }).optional(),
  ),
  SMTP_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^smtps?:\/\/[^\s]+$/,
        'must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587',
      )
      .optional(),
  ),
  SMTP_FROM: optionalText,
  AUTH_USER_HEADER: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as X-Forwarded-User')
      .transform((name) => name.toLowerCase())
      .optional(),
  ),
  AUTH_PROXY_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters when set').optional()),
  AUTH_PROXY_SECRET_HEADER: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
    .transform((name) => name.toLowerCase())
    .default('x-auth-proxy-secret'),
  AUTH_PROXY_PEERS: optionalText.pipe(
    z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((peer) => peer.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6()], { error: 'must be IP addresses, comma-separated' })))
      .optional(),
  ),
  OIDC_ISSUER: optionalText.pipe(z.url({ error: "must be the identity provider's issuer URL (https://…)" }).optional()),
  OIDC_AUDIENCE: optionalText,
  OIDC_PERSON_CLAIM: z.string().trim().min(1).default('email'),
  OIDC_GROUPS_CLAIM: z.string().trim().min(1).default('groups'),
  OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_RESOURCE: optionalText,
  SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters when set').optional()),
  PERSONAL_TOKENS: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('off'),
  TOKEN_HASH_KEY: optionalText.pipe(z.string().min(32, 'must be at least 32 characters when set').optional()),
  PUBLIC_URL: optionalText.pipe(z.url({ error: 'must be the http(s) URL people reach this server at' }).optional()),
  TEMPORAL_UI_URL: optionalText.pipe(z.url({ error: 'must be the http(s) URL of the Temporal Web UI' }).optional()),
  RUNBOOKS_DIR: z
    .string()
    .trim()
    .min(1, 'must be a directory path')
    .default(fileURLToPath(new URL('../../runbooks', import.meta.url))),
  RUNBOOK_ENV_ALLOW: optionalText.pipe(
    z
      .string()
      .refine((list) => list.split(',').every((entry) => ENV_ALLOW_ENTRY.test(entry.trim())), {
        error: 'must be variable names or PREFIX* patterns (A-Z, 0-9, _), comma-separated',
      })
      .optional(),
  ),
  API_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters when set').optional()),
  ALERT_WEBHOOK_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters when set').optional()),
  ALERT_GRAFANA_HMAC_SECRET: webhookSecret,
  // Evidence snapshots in an S3-compatible bucket instead of $DATA_DIR/evidence (credentials: the AWS SDK's
  // default chain, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile or an instance role).
  EVIDENCE_S3_BUCKET: optionalText.pipe(
    z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)',
      )
      .optional(),
  ),
  EVIDENCE_S3_PREFIX: z.string().trim().default('evidence/'),
  EVIDENCE_S3_ENDPOINT: optionalText.pipe(
    z.url({ error: 'must be the http(s) URL of an S3-compatible endpoint (MinIO, R2, …)' }).optional(),
  ),
  AWS_REGION: z.string().trim().min(1, 'must be an AWS region such as eu-west-1').default('us-east-1'),
  ALERT_COMMANDER: z.string().trim().min(1, 'must name who is IC of an alert-raised incident').default('on-call'),
  /** New alert groups a minute from one source before further ones join its flood incident (app/alerts/flood.ts). */
  ALERT_NEW_GROUPS_PER_MINUTE: z.coerce
    .number({ error: 'must be a whole number of alert groups a minute' })
    .int('must be a whole number of alert groups a minute')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(60),
  TEMPORAL_ADDRESS: optionalText,
  /** What this process runs (`npm start -- --role …` sets it too): all, or the API or the worker alone, against TEMPORAL_ADDRESS. */
  ROLE: z.enum(ROLES, { error: 'must be all, api or worker' }).default('all'),
  TEMPORAL_NAMESPACE: z.string().trim().min(1, 'must be a namespace name').default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1, 'must be a task queue name').default('incidents'),
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_TEST_SERVER_PATH: optionalText,
  TEMPORAL_DEV_SERVER_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  WORKFLOW_BUNDLE: optionalText,
  // /metrics: how often the KPIs are recomputed in the background, and where the Temporal core
  // exports the worker's own figures (a free loopback port when unset).
  METRICS_REFRESH_SECONDS: seconds.default(15),
  TEMPORAL_METRICS_PORT: port.optional(),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })
    .default('info'),
  LOG_FORMAT: optionalText.pipe(z.enum(['json', 'pretty'], { error: 'must be "json" or "pretty"' }).optional()),
  // What HTTP callers may hold (app/http/limits.ts): connections at once, and how long a request may
  // take to arrive before it is answered 408 and closed.
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1, 'must be at least 1').default(256),
  /** Incident workflows the worker keeps in memory (app/worker.ts); unset: sized from the memory available (app/temporal/cache-size.ts). */
  WORKFLOW_CACHE_SIZE: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: 'must be a whole number of workflows' })
      .int('must be a whole number of workflows')
      .min(2, 'must be at least 2')
      .max(100_000, 'must be at most 100000')
      .optional(),
  ),
  /** V8's heap growing factor, as 1 + this/100 (app/temporal/heap-growth.ts); 0: V8's own. */
  HEAP_GROWING_PERCENT: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: 'must be a whole number of percent' })
      .int('must be a whole number of percent')
      .min(0, 'must be 0 (V8 decides) or more')
      .max(300, 'must be at most 300')
      .optional(),
  ),
  HTTP_HEADERS_TIMEOUT_SECONDS: seconds.default(10),
  HTTP_REQUEST_TIMEOUT_SECONDS: seconds.default(15),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: seconds.default(5),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

export interface ServerConfig extends ServerEnv {
  dataDir: string;
  flagsFile: string;
  ticketsFile: string;
  notificationsFile: string;
  /** What each notification channel delivered (integrations/notify/ledger.ts). */
  deliveriesFile: string;
  modelsFile: string;
  runbooksDir: string;
  /** Embedded mode: no TEMPORAL_ADDRESS, so we run the dev server ourselves. */
  embeddedTemporal: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The value of `--role X` or `--role=X` among the command's arguments, which overrides ROLE. */
export function roleArgument(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (at < 0) return undefined;
  const value = argv[at]!.startsWith('--role=') ? argv[at]!.slice('--role='.length) : argv[at + 1];
  if (!value || value.startsWith('--')) throw new ConfigError(['--role: name one of all, api or worker']);
  return value;
}

/** Parses the environment; throws a ConfigError naming every bad variable and what it accepts. */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = parseEnv(serverEnvSchema, env);
  const launchDarkly = [
    parsed.LAUNCHDARKLY_API_TOKEN,
    parsed.LAUNCHDARKLY_PROJECT_KEY,
    parsed.LAUNCHDARKLY_ENVIRONMENT_KEY,
  ];
  if (launchDarkly.some(Boolean) && !launchDarkly.every(Boolean)) {
    throw new ConfigError([
      'LAUNCHDARKLY_API_TOKEN, LAUNCHDARKLY_PROJECT_KEY and LAUNCHDARKLY_ENVIRONMENT_KEY: set all three to change flags in LaunchDarkly, or none',
    ]);
  }
  if (parsed.LAUNCHDARKLY_SDK_KEY && !parsed.LAUNCHDARKLY_API_TOKEN) {
    throw new ConfigError([
      'LAUNCHDARKLY_SDK_KEY: verifies changes made through LAUNCHDARKLY_API_TOKEN; set the API token, project and environment too',
    ]);
  }
  if (Boolean(parsed.GITHUB_TOKEN) !== Boolean(parsed.GITHUB_REPOSITORY)) {
    throw new ConfigError([
      'GITHUB_TOKEN and GITHUB_REPOSITORY: set both to file corrective actions as GitHub issues, or neither',
    ]);
  }
  const jira = [parsed.JIRA_BASE_URL, parsed.JIRA_EMAIL, parsed.JIRA_API_TOKEN, parsed.JIRA_PROJECT_KEY];
  if (jira.some(Boolean) && !jira.every(Boolean)) {
    throw new ConfigError([
      'JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT_KEY: set all four to file corrective actions in Jira, or none',
    ]);
  }
  if (!parsed.PAGERDUTY_ROUTING_KEY && (parsed.PAGERDUTY_API_TOKEN || parsed.PAGERDUTY_EVENTS_SERVER)) {
    throw new ConfigError([
      "PAGERDUTY_ROUTING_KEY: required once PAGERDUTY_API_TOKEN or PAGERDUTY_EVENTS_SERVER is set (pages go to the routing key's service)",
    ]);
  }
  if (parsed.GITHUB_TOKEN && parsed.JIRA_API_TOKEN) {
    throw new ConfigError([
      'GITHUB_* and JIRA_*: corrective actions go to one tracker; configure GitHub or Jira, not both',
    ]);
  }
  if (parsed.SMTP_URL && !parsed.SMTP_FROM) {
    throw new ConfigError([
      'SMTP_FROM: required with SMTP_URL: the sender of e-mail, such as "Incidents <incidents@example.com>"',
    ]);
  }
  if (!parsed.SLACK_BOT_TOKEN && (parsed.SLACK_SIGNING_SECRET || parsed.SLACK_APP_TOKEN)) {
    throw new ConfigError(['SLACK_BOT_TOKEN: required once SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set']);
  }
  if (parsed.SLACK_BOT_TOKEN && !parsed.SLACK_SIGNING_SECRET && !parsed.SLACK_APP_TOKEN) {
    throw new ConfigError([
      'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN: set the signing secret to receive Slack at POST /slack/events, or an app token for Socket Mode',
    ]);
  }
  if (parsed.OIDC_ISSUER && !parsed.OIDC_AUDIENCE) {
    throw new ConfigError([
      'OIDC_AUDIENCE: required with OIDC_ISSUER: the `aud` of the access tokens issued for this API (tokens for other APIs are refused)',
    ]);
  }
  if ((parsed.OIDC_CLIENT_ID || parsed.OIDC_CLIENT_SECRET) && !parsed.OIDC_ISSUER) {
    throw new ConfigError([
      'OIDC_ISSUER: required once OIDC_CLIENT_ID is set (console sign-in goes to that identity provider)',
    ]);
  }
  if (parsed.AUTH_USER_HEADER && !parsed.AUTH_PROXY_SECRET && !parsed.AUTH_PROXY_PEERS?.length) {
    throw new ConfigError([
      "AUTH_USER_HEADER: trusted only with proof that the proxy set it: set AUTH_PROXY_SECRET (the proxy sends it in AUTH_PROXY_SECRET_HEADER) or AUTH_PROXY_PEERS (the proxy's addresses)",
    ]);
  }
  if (!LOOPBACK_HOSTS.includes(parsed.HOST) && !hasIdentitySource(parsed)) {
    throw new ConfigError([
      `HOST=${parsed.HOST}: off loopback, who acts must be proven. Set an identity source: OIDC_ISSUER (with OIDC_AUDIENCE), PERSONAL_TOKENS=on (incident token create), or AUTH_USER_HEADER with AUTH_PROXY_SECRET or AUTH_PROXY_PEERS behind an authenticating proxy; or keep HOST=127.0.0.1`,
    ]);
  }
  if (parsed.ROLE !== 'all' && !parsed.TEMPORAL_ADDRESS) {
    throw new ConfigError([
      `ROLE=${parsed.ROLE}: runs beside processes of the other role on one Temporal server; set TEMPORAL_ADDRESS to it (the embedded dev server runs with ROLE=all only)`,
    ]);
  }
  const dataDir = resolve(parsed.DATA_DIR);
  return {
    ...parsed,
    dataDir,
    flagsFile: resolve(parsed.FLAGS_FILE ?? `${dataDir}/flags.json`),
    ticketsFile: resolve(parsed.TICKETS_FILE ?? `${dataDir}/tickets.json`),
    notificationsFile: resolve(parsed.NOTIFICATIONS_FILE ?? `${dataDir}/notifications.jsonl`),
    deliveriesFile: resolve(`${dataDir}/deliveries.jsonl`),
    modelsFile: resolve(parsed.MODELS_FILE ?? `${dataDir}/models.json`),
    runbooksDir: resolve(parsed.RUNBOOKS_DIR),
    embeddedTemporal: parsed.TEMPORAL_ADDRESS === undefined,
  };
}

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/** Whether any source proves who a person is (with none, the product serves one person on loopback). */
export function hasIdentitySource(
  env: Pick<ServerEnv, 'AUTH_USER_HEADER' | 'PERSONAL_TOKENS'> & { OIDC_ISSUER?: string | undefined },
): boolean {
  return Boolean(env.OIDC_ISSUER) || env.PERSONAL_TOKENS === 'on' || Boolean(env.AUTH_USER_HEADER);
}

/** Values never shown in a configuration error: credentials, and URLs that carry one (SMTP_URL). */
const SECRET_NAME = /TOKEN|SECRET|KEY|PASSWORD|SMTP_URL/i;

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const shown = SECRET_NAME.test(name) ? '(value hidden)' : JSON.stringify(env[name] ?? '');
      return `${name}=${shown}: ${issue.message}`;
    }),
  );
}
