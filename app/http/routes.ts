import type { AlertWebhook } from '../alerts/alert-webhook.js';
import type { IncidentService } from '../incident-service.js';
import { alertRoutes } from './alert-routes.js';
import type { AlertAccess } from './prechecks.js';
import { consoleRoutes, type ConsoleOptions } from './console-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { obligationRoutes } from './obligation-routes.js';
import { exportRoutes } from './export-routes.js';
import { evidenceRoutes } from './evidence-routes.js';
import { kpiRoutes } from './kpi-routes.js';
import type { KpiSources } from '../kpis/kpi-sources.js';
import { withOpenApi } from './openapi.js';
import type { Route } from './router.js';
import { ticketWebhookRoutes } from './ticket-webhook-routes.js';
import { tokenRoutes } from './token-routes.js';
import { statusRoutes, type StatusPageOptions } from './status-routes.js';
import { StatusBoard } from '../status/status-board.js';
import { authRoutes } from './auth-routes.js';
import type { OidcLogin } from '../identity/oidc-login.js';
import type { SessionCookies } from '../identity/sessions.js';
import type { TokenAdmin } from '../identity/token-admin.js';

export interface ServerRouteParts {
  service: IncidentService;
  /** The KPI projection and /metrics' background-refreshed figures. */
  kpis?: KpiSources;
  alertWebhook: AlertWebhook;
  /** What the alert webhooks' headers must show before their body is read. */
  alertAccess: AlertAccess;
  ticketSecrets: { githubSecret?: string; jiraSecret?: string };
  /** POST /slack/events in Slack's HTTP mode; none otherwise. */
  slackRoutes: Route[];
  console: ConsoleOptions;
  /** The public status page (/status, /status/feed.atom, /status.json). */
  statusPage: StatusPageOptions;
  tokens: TokenAdmin;
  /** Console sign-in with OpenID Connect, when configured. */
  login?: { flow: OidcLogin; sessions: SessionCookies };
}

/** Every route the server mounts, and GET /api/openapi.json describing them. */
export function serverRoutes(parts: ServerRouteParts): Route[] {
  return withOpenApi([
    ...incidentRoutes(parts.service),
    ...obligationRoutes(parts.service),
    ...exportRoutes(parts.service),
    ...evidenceRoutes(parts.service),
    ...kpiRoutes(parts.service, parts.kpis ? { kpis: parts.kpis } : {}),
    ...alertRoutes(parts.alertWebhook, parts.alertAccess),
    ...ticketWebhookRoutes(parts.service, parts.ticketSecrets),
    ...parts.slackRoutes,
    ...consoleRoutes(parts.console),
    ...statusRoutes(new StatusBoard(parts.service), parts.statusPage),
    ...tokenRoutes(parts.tokens),
    ...(parts.login ? authRoutes(parts.login.flow, parts.login.sessions) : []),
  ]);
}
