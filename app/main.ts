#!/usr/bin/env node
// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker and the HTTP server;
// with `--role api` or `--role worker` (ROLE), against TEMPORAL_ADDRESS, the HTTP server or the worker alone.
import { cacheSizeFor, memoryAvailable } from './temporal/cache-size.js';
import { applyHeapGrowth } from './temporal/heap-growth.js';
import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { installTemporalRuntime } from './temporal/runtime.js';
import { coreMetricsReader, freeLoopbackAddress } from './temporal/core-metrics.js';
import { kpiSources, type KpiSources } from './kpis/kpi-sources.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import type { FlagProvider } from '../integrations/flags/provider.js';
import { RunbookSource } from '../runbooks/source.js';
import { ConfigError, LOOPBACK_HOSTS, loadServerConfig, roleArgument, type ServerConfig } from './config.js';
import { identitySourcesFor } from './identity/from-config.js';
import { TokenAdmin } from './identity/token-admin.js';
import { createHealthCheck } from './health.js';
import { createAlertWebhook } from './alerts/alert-webhook.js';
import { FloodGuard } from './alerts/flood.js';
import { newCsrfToken } from './http/console-routes.js';
import { serverRoutes } from './http/routes.js';
import { workerMetricsRoute } from './http/worker-metrics-route.js';
import { httpLimitsFrom } from './http/limits.js';
import { startHttpServer, stopHttpServer } from './http/server.js';
import { IncidentService } from './incident-service.js';
import { createLogger, type Logger } from '../integrations/log.js';
import {
  describeEvidence,
  describeFlags,
  describeModels,
  describePager,
  describeTracker,
  incidentLinks,
  selectEvidence,
  selectFlags,
  selectModels,
  selectPager,
  selectTickets,
} from './providers.js';
import { describeNotifications, selectNotifier, unreachableChannels } from './notifier.js';
import { temporalCliPath } from './temporal/temporal-binaries.js';
import { connectTemporal, type TemporalConnections } from './temporal/temporal-connection.js';
import { startDevServer, type DevServer } from './temporal/temporal-dev-server.js';
import { keepClosedIncidents } from './temporal/retention.js';
import { createIncidentWorker } from './worker.js';
import { slackFromConfig, startSlackApp, type RunningSlackApp } from './slack/setup.js';

const SHUTDOWN_BUDGET_MS = 9_000;

let config: ServerConfig;
try {
  const role = roleArgument(process.argv.slice(2));
  config = loadServerConfig(role ? { ...process.env, ROLE: role } : process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\nNothing was started.\n`);
  process.exit(2);
}

const log = createLogger(config.LOG_LEVEL, config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {});
log.info(`heap growing factor: ${applyHeapGrowth(config.HEAP_GROWING_PERCENT)}`);
const running: {
  devServer?: DevServer;
  temporal?: TemporalConnections;
  worker?: Worker;
  workerRun?: Promise<void>;
  http?: Server;
  flags?: FlagProvider;
  slack?: RunningSlackApp;
  service?: IncidentService;
  kpis?: KpiSources;
} = {};
let stopping: Promise<void> | undefined;

const coreMetricsAddress = config.TEMPORAL_METRICS_PORT
  ? `127.0.0.1:${config.TEMPORAL_METRICS_PORT}`
  : await freeLoopbackAddress();
// We stop the worker ourselves, in order, below.
installTemporalRuntime(config.LOG_LEVEL === 'debug' ? 'INFO' : 'WARN', { metricsAddress: coreMetricsAddress });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // npm forwards the terminal's Ctrl-C too, so the same signal may arrive twice.
    if (!stopping) log.info(`${signal}: stopping`);
    void stop(0);
  });
}

try {
  await start(config, log);
} catch (err) {
  log.error((err as Error).message);
  await stop(1);
}

async function start(config: ServerConfig, log: Logger): Promise<void> {
  const runbooks = new RunbookSource(config.runbooksDir);
  const library = await runbooks.requireValid(); // before anything starts: an invalid runbook stops us here
  log.info(`runbooks: ${library.runbooks.map((r) => r.runbook.id).join(', ')}`, { dir: config.runbooksDir });

  if (config.embeddedTemporal) {
    const cliPath = temporalCliPath();
    log.info('starting the embedded Temporal dev server', { data: config.dataDir });
    running.devServer = await startDevServer({
      cliPath,
      dataDir: config.dataDir,
      host: '127.0.0.1',
      port: config.TEMPORAL_DEV_SERVER_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      ui: config.TEMPORAL_UI === 'on',
      namespace: config.TEMPORAL_NAMESPACE,
    });
  }
  const embedded = running.devServer
    ? { address: running.devServer.address, namespace: config.TEMPORAL_NAMESPACE }
    : undefined;
  const temporal = await connectTemporal(embedded);
  running.temporal = temporal;
  if (running.devServer) await keepClosedIncidents(temporal.connection, temporal.namespace);

  const api = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  const publicUrl = (config.PUBLIC_URL ?? api).replace(/\/$/, '');
  const flags = selectFlags(config);
  running.flags = flags;
  if (flags instanceof LocalFileFlagProvider && (await flags.ensureExists()))
    log.info('created example flags', { file: config.flagsFile });
  const tickets = selectTickets(config);
  const models = selectModels(config);
  const evidence = selectEvidence(config);
  const temporalUiUrl = config.TEMPORAL_UI_URL ?? running.devServer?.uiUrl;
  const whereToFollow = { publicUrl, namespace: temporal.namespace, ...(temporalUiUrl ? { temporalUiUrl } : {}) };
  const pager = selectPager(config, log, whereToFollow);
  const slack = slackFromConfig(config, runbooks);
  const notifier = selectNotifier(config, log, runbooks);
  for (const warning of unreachableChannels(config, library.directory)) log.warn(`notifications: ${warning}`);

  async function startWorker(): Promise<Worker> {
    const memory = memoryAvailable();
    const cacheSize = config.WORKFLOW_CACHE_SIZE ?? cacheSizeFor(memory);
    log.info(`workflow cache: ${cacheSize} incidents`, {
      from: config.WORKFLOW_CACHE_SIZE ? 'WORKFLOW_CACHE_SIZE' : `${Math.round(memory / 2 ** 20)} MiB available`,
    });
    const worker = await createIncidentWorker({
      connection: temporal.workerConnection,
      namespace: temporal.namespace,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dependencies: {
        flags,
        models,
        notifier,
        pager,
        runbooks,
        tickets,
        evidence,
        ...(slack ? { chat: slack.chat } : {}),
        links: (incidentId) => incidentLinks(whereToFollow, incidentId),
      },
      bundlePath: config.WORKFLOW_BUNDLE,
      cacheSize,
    });
    running.worker = worker;
    running.workerRun = worker.run().catch((err: unknown) => {
      log.error('worker failed', { error: (err as Error).message });
      void stop(1);
    });
    return worker;
  }

  const runsWorker = config.ROLE !== 'api';
  const worker = runsWorker ? await startWorker() : undefined;
  if (config.ROLE === 'worker') {
    running.http = await startHttpServer(config.HOST, config.PORT, {
      routes: [workerMetricsRoute(coreMetricsReader(coreMetricsAddress))],
      health: createHealthCheck({ ...temporal, worker, taskQueue: config.TEMPORAL_TASK_QUEUE }),
      auth: identitySourcesFor(config, publicUrl, runbooks).auth,
      limits: httpLimitsFrom(config),
      log,
    });
    const lines = [
      `Role             worker: runs the incident workflows and their activities; the API runs in other processes`,
      `Task queue       ${config.TEMPORAL_TASK_QUEUE}`,
      `Temporal         ${temporal.address} (namespace ${temporal.namespace})`,
      `Health           ${api}/healthz`,
      `Metrics          ${api}/metrics (Prometheus: process and worker; the KPIs are the API's)`,
      `Flags            ${describeFlags(flags, config)}`,
      `Runbooks         ${config.runbooksDir} (${library.runbooks.length})`,
    ];
    process.stdout.write(`\nReady.\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
    return;
  }

  const service = new IncidentService(temporal.client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    runbooks,
    tickets,
  });
  running.service = service;
  const kpis = kpiSources(service, {
    refreshMs: config.METRICS_REFRESH_SECONDS * 1000,
    thread: { temporal: embedded },
    ...(runsWorker ? { workerMetrics: coreMetricsReader(coreMetricsAddress) } : {}),
    onError: (err) => log.warn('metrics refresh failed', { error: (err as Error).message }),
  });
  kpis.metrics.start();
  running.kpis = kpis;
  if (slack) running.slack = await startSlackApp(slack, config, service, log);
  const loopbackOnly = LOOPBACK_HOSTS.includes(config.HOST);
  const identity = identitySourcesFor(config, publicUrl, runbooks);
  const { auth } = identity;
  const alertWebhook = createAlertWebhook({
    client: temporal.client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    runbooks,
    loopbackOnly,
    commander: config.ALERT_COMMANDER,
    flood: new FloodGuard(config.ALERT_NEW_GROUPS_PER_MINUTE),
    ...(config.ALERT_WEBHOOK_TOKEN ? { token: config.ALERT_WEBHOOK_TOKEN } : {}),
    ...(config.ALERT_GRAFANA_HMAC_SECRET ? { grafanaSecret: config.ALERT_GRAFANA_HMAC_SECRET } : {}),
  });
  const writes = { csrfToken: newCsrfToken() };
  // On loopback, only loopback names (and PUBLIC_URL's): other names resolving here are DNS rebinding.
  const allowedHosts = loopbackOnly
    ? [
        '127.0.0.1',
        'localhost',
        '[::1]',
        ...(config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).hostname.toLowerCase()] : []),
      ]
    : undefined;
  running.http = await startHttpServer(config.HOST, config.PORT, {
    routes: serverRoutes({
      service,
      kpis,
      alertWebhook,
      alertAccess: {
        loopbackOnly,
        grafanaSigned: Boolean(config.ALERT_GRAFANA_HMAC_SECRET),
        ...(config.ALERT_WEBHOOK_TOKEN ? { token: config.ALERT_WEBHOOK_TOKEN } : {}),
      },
      ticketSecrets: { githubSecret: config.GITHUB_WEBHOOK_SECRET, jiraSecret: config.JIRA_WEBHOOK_SECRET },
      slackRoutes: running.slack?.routes ?? [],
      statusPage: { publicUrl },
      tokens: new TokenAdmin(identity.tokens, runbooks),
      ...(identity.login ? { login: identity.login } : {}),
      console: {
        ...writes,
        auth,
        signIn: identity.login !== undefined,
        namespace: temporal.namespace,
        ...(temporalUiUrl ? { temporalUiUrl } : {}),
      },
    }),
    writes,
    ...(allowedHosts ? { allowedHosts } : {}),
    health: createHealthCheck({ ...temporal, worker, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    auth,
    refused: (id, refusal) => service.recordRefusal(id, refusal),
    limits: httpLimitsFrom(config),
    log,
  });

  const lines = [
    ...(config.ROLE === 'api' ? [`Role             api: the workers run in other processes`] : []),
    `Console          ${api}/`,
    `Identity         ${auth.open ? 'none configured: loopback only, people type their name (local)' : auth.describe()}`,
    `Incident API     ${api}/api/incidents${config.API_TOKEN || !auth.open ? ' (credentials required)' : ''}`,
    `Health           ${api}/healthz`,
    `Metrics          ${api}/metrics (Prometheus; KPIs of the last 30 days)`,
    `Alerts           ${api}/webhooks/{alertmanager,grafana,datadog,generic} (${config.ALERT_WEBHOOK_TOKEN ? 'ALERT_WEBHOOK_TOKEN required' : loopbackOnly ? 'no token: loopback only' : 'off: set ALERT_WEBHOOK_TOKEN'})`,
    `Temporal         ${temporal.address} (namespace ${temporal.namespace}${running.devServer ? `, embedded, state in ${config.dataDir}` : ''})`,
    ...(running.devServer?.uiUrl ? [`Temporal Web UI  ${running.devServer.uiUrl}`] : []),
    `Flags            ${describeFlags(flags, config)}`,
    `Models           ${describeModels(models, config)}`,
    `Tickets          ${describeTracker(tickets, config, publicUrl)}`,
    `Paging           ${describePager(pager)}`,
    `Evidence         ${describeEvidence(evidence, config)}`,
    `Slack            ${running.slack ? `${running.slack.receives}${config.SLACK_API_URL ? ` via ${config.SLACK_API_URL}` : ''}` : 'off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN; see integrations/slack/manifest.yaml)'}`,
    `Notifications    ${describeNotifications(config, library.directory)}`,
    `Runbooks         ${config.runbooksDir} (${library.runbooks.length})`,
    `Try              npx incident declare "Jailbreak regression" --category jailbreak --severity P1 --as $USER`,
  ];
  process.stdout.write(`\nReady.\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}

function stop(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      running.devServer?.kill();
      process.exit(exitCode || 1);
    }, SHUTDOWN_BUDGET_MS);
    const step = async (name: string, work: () => Promise<unknown>) => {
      try {
        log.debug(`stopping ${name}`);
        await work();
      } catch (err) {
        log.warn(`stopping ${name}: ${(err as Error).message}`);
      }
    };
    if (running.http) await step('http', () => stopHttpServer(running.http!));
    running.kpis?.metrics.stop();
    if (running.kpis) await step('kpi thread', () => running.kpis!.answers.close());
    if (running.service) await step('refusal records', () => running.service!.flushRefusals());
    if (running.slack) await step('slack', () => running.slack!.stop());
    if (running.worker && running.worker.getState() === 'RUNNING') {
      await step('worker', async () => {
        running.worker!.shutdown();
        await running.workerRun;
      });
    }
    if (running.flags?.close) await step('flag provider', async () => running.flags!.close!());
    if (running.temporal) await step('temporal connections', () => running.temporal!.close());
    if (running.devServer) await step('temporal dev server', () => running.devServer!.stop());
    process.exit(exitCode);
  })();
  return stopping;
}
