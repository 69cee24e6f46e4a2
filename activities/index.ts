import type { FlagProvider } from '../integrations/flags/provider.js';
import type { ModelRegistry } from '../integrations/model-registry/provider.js';
import type { Notifier } from '../integrations/notify/provider.js';
import type { Pager } from '../integrations/paging/provider.js';
import type { TicketProvider } from '../integrations/ticketing/provider.js';
import type { RunbookSource } from '../runbooks/source.js';
import type { ChatProvider } from '../integrations/chat/provider.js';
import { createChatActivities } from './chat.js';
import { createEvidenceActivities } from './evidence.js';
import type { EvidenceStore } from '../integrations/evidence/store.js';
import { createFlagActivities } from './flags.js';
import { createHttpActivities } from './http.js';
import { createIncidentActivities } from './incidents.js';
import { createModelActivities } from './models.js';
import { createNotifyActivities } from './notify.js';
import { createPagingActivities } from './paging.js';
import { createReminderActivities } from './reminders.js';
import { createRunbookActivities } from './runbooks.js';
import { createTicketActivities } from './tickets.js';

export interface ActivityDependencies {
  flags: FlagProvider;
  models: ModelRegistry;
  notifier: Notifier;
  pager: Pager;
  runbooks: RunbookSource;
  tickets: TicketProvider;
  /** Where evidence snapshots are stored (DATA_DIR/evidence locally). */
  evidence: EvidenceStore;
  /** Slack, when configured: the incident's channel, status message and approval requests. */
  chat?: ChatProvider;
  /** Where people follow an incident (the product's API, the Temporal UI): linked from tickets. */
  links?: (incidentId: string) => { href: string; text: string }[];
}

export function createActivities({
  flags,
  models,
  notifier,
  pager,
  runbooks,
  tickets,
  evidence,
  chat,
  links = () => [],
}: ActivityDependencies) {
  return {
    ...createChatActivities(chat),
    ...createFlagActivities(flags),
    ...createEvidenceActivities({ flags, models, store: evidence }),
    ...createModelActivities(models),
    ...createNotifyActivities(notifier),
    ...createPagingActivities(pager),
    ...createRunbookActivities(runbooks),
    ...createHttpActivities(),
    ...createTicketActivities(tickets, links),
    ...createReminderActivities(),
    ...createIncidentActivities(),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
