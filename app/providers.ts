// Which real service or local stand-in each integration uses, decided by the configuration alone.
import { S3EvidenceStore } from '../integrations/evidence/s3-store.js';
import { LocalEvidenceStore, type EvidenceStore } from '../integrations/evidence/store.js';
import { LaunchDarklyFlagProvider } from '../integrations/flags/launchdarkly.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import type { FlagProvider } from '../integrations/flags/provider.js';
import { LocalFileModelRegistry } from '../integrations/model-registry/local-file.js';
import { MlflowModelRegistry } from '../integrations/model-registry/mlflow.js';
import type { ModelRegistry } from '../integrations/model-registry/provider.js';
import { ConsolePager } from '../integrations/paging/console.js';
import { PagerDutyPager } from '../integrations/paging/pagerduty.js';
import type { Pager } from '../integrations/paging/provider.js';
import { GitHubTicketProvider } from '../integrations/ticketing/github.js';
import { JiraTicketProvider } from '../integrations/ticketing/jira.js';
import { LocalFileTicketProvider } from '../integrations/ticketing/local-file.js';
import type { TicketProvider } from '../integrations/ticketing/provider.js';
import type { ServerConfig } from './config.js';
import type { Logger } from '../integrations/log.js';

/** Where people follow an incident from a page or a ticket. */
export interface IncidentLinks {
  /** The product's own address as others reach it. */
  publicUrl: string;
  /** The Temporal Web UI, when there is one. */
  temporalUiUrl?: string;
  namespace: string;
}

export function selectFlags(config: ServerConfig): FlagProvider {
  if (!config.LAUNCHDARKLY_API_TOKEN) return new LocalFileFlagProvider(config.flagsFile);
  return new LaunchDarklyFlagProvider({
    apiToken: config.LAUNCHDARKLY_API_TOKEN,
    projectKey: config.LAUNCHDARKLY_PROJECT_KEY!,
    environmentKey: config.LAUNCHDARKLY_ENVIRONMENT_KEY!,
    ...(config.LAUNCHDARKLY_API_URL ? { apiUrl: config.LAUNCHDARKLY_API_URL } : {}),
    ...(config.LAUNCHDARKLY_SDK_KEY ? { sdkKey: config.LAUNCHDARKLY_SDK_KEY } : {}),
    ...(config.LAUNCHDARKLY_BASE_URI ? { baseUri: config.LAUNCHDARKLY_BASE_URI } : {}),
    ...(config.LAUNCHDARKLY_STREAM_URI ? { streamUri: config.LAUNCHDARKLY_STREAM_URI } : {}),
    ...(config.LAUNCHDARKLY_EVENTS_URI ? { eventsUri: config.LAUNCHDARKLY_EVENTS_URI } : {}),
  });
}

/** Evidence snapshots: in the S3-compatible bucket EVIDENCE_S3_BUCKET names, or under $DATA_DIR/evidence. */
export function selectEvidence(config: ServerConfig): EvidenceStore {
  if (!config.EVIDENCE_S3_BUCKET) return new LocalEvidenceStore(config.dataDir);
  return new S3EvidenceStore({
    bucket: config.EVIDENCE_S3_BUCKET,
    prefix: config.EVIDENCE_S3_PREFIX,
    region: config.AWS_REGION,
    ...(config.EVIDENCE_S3_ENDPOINT ? { endpoint: config.EVIDENCE_S3_ENDPOINT } : {}),
  });
}

export function describeEvidence(evidence: EvidenceStore, config: ServerConfig): string {
  return evidence instanceof S3EvidenceStore
    ? `s3://${evidence.bucket}/${evidence.prefix}${config.EVIDENCE_S3_ENDPOINT ? ` at ${config.EVIDENCE_S3_ENDPOINT}` : ''}`
    : `${config.dataDir}/evidence`;
}

export function selectModels(config: ServerConfig): ModelRegistry {
  if (!config.MLFLOW_TRACKING_URI) return new LocalFileModelRegistry(config.modelsFile);
  return new MlflowModelRegistry({
    trackingUri: config.MLFLOW_TRACKING_URI,
    ...(config.MLFLOW_TRACKING_TOKEN ? { token: config.MLFLOW_TRACKING_TOKEN } : {}),
    ...(config.MLFLOW_TRACKING_USERNAME
      ? { username: config.MLFLOW_TRACKING_USERNAME, password: config.MLFLOW_TRACKING_PASSWORD ?? '' }
      : {}),
  });
}

export function describeModels(models: ModelRegistry, config: ServerConfig): string {
  return models instanceof MlflowModelRegistry ? models.observedVia : config.modelsFile;
}

export function selectTickets(config: ServerConfig): TicketProvider {
  if (config.GITHUB_TOKEN && config.GITHUB_REPOSITORY) {
    return new GitHubTicketProvider({
      token: config.GITHUB_TOKEN,
      repository: config.GITHUB_REPOSITORY,
      ...(config.GITHUB_API_URL ? { apiUrl: config.GITHUB_API_URL } : {}),
      webhooks: config.GITHUB_WEBHOOK_SECRET !== undefined,
    });
  }
  if (config.JIRA_API_TOKEN) {
    return new JiraTicketProvider({
      baseUrl: config.JIRA_BASE_URL!,
      email: config.JIRA_EMAIL!,
      apiToken: config.JIRA_API_TOKEN,
      projectKey: config.JIRA_PROJECT_KEY!,
      webhooks: config.JIRA_WEBHOOK_SECRET !== undefined,
    });
  }
  return new LocalFileTicketProvider(config.ticketsFile);
}

export function selectPager(config: ServerConfig, log: Logger, links: IncidentLinks): Pager {
  if (!config.PAGERDUTY_ROUTING_KEY) return new ConsolePager(log);
  return new PagerDutyPager({
    routingKey: config.PAGERDUTY_ROUTING_KEY,
    ...(config.PAGERDUTY_EVENTS_SERVER ? { eventsServer: config.PAGERDUTY_EVENTS_SERVER } : {}),
    ...(config.PAGERDUTY_API_TOKEN ? { apiToken: config.PAGERDUTY_API_TOKEN } : {}),
    ...(config.PAGERDUTY_API_URL ? { apiUrl: config.PAGERDUTY_API_URL } : {}),
    source: new URL(links.publicUrl).host,
    linksFor: (incidentId) => incidentLinks(links, incidentId),
  });
}

export function incidentLinks(
  { publicUrl, temporalUiUrl, namespace }: IncidentLinks,
  incidentId: string,
): { href: string; text: string }[] {
  const id = encodeURIComponent(incidentId);
  return [
    { href: `${publicUrl}/api/incidents/${id}`, text: `Incident ${incidentId}` },
    ...(temporalUiUrl
      ? [
          {
            href: `${temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${id}`,
            text: 'Workflow in the Temporal Web UI',
          },
        ]
      : []),
  ];
}

export function describeFlags(flags: FlagProvider, config: ServerConfig): string {
  if (!(flags instanceof LaunchDarklyFlagProvider)) return config.flagsFile;
  const verified = config.LAUNCHDARKLY_SDK_KEY ? 'verified by SDK evaluation' : 'verified by reading the flag back';
  return `LaunchDarkly project ${config.LAUNCHDARKLY_PROJECT_KEY}, environment ${config.LAUNCHDARKLY_ENVIRONMENT_KEY} (${verified})`;
}

export function describeTracker(tickets: TicketProvider, config: ServerConfig, publicUrl: string): string {
  const delivery = (secret: string | undefined, name: string) =>
    secret ? `, webhook ${publicUrl}/webhooks/tickets/${name}` : ', polled every 15m';
  if (tickets instanceof GitHubTicketProvider)
    return `GitHub ${config.GITHUB_REPOSITORY}${delivery(config.GITHUB_WEBHOOK_SECRET, 'github')}`;
  if (tickets instanceof JiraTicketProvider)
    return `Jira ${config.JIRA_BASE_URL} project ${config.JIRA_PROJECT_KEY}${delivery(config.JIRA_WEBHOOK_SECRET, 'jira')}`;
  return config.ticketsFile;
}

export function describePager(pager: Pager): string {
  return pager instanceof PagerDutyPager ? 'PagerDuty (Events API v2, dedup key = incident id)' : 'the server log';
}
