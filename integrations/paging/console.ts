import type { Logger } from '../log.js';
import type { Page, Pager, PageUpdate } from './provider.js';

/** The embedded default: pages go to the server log (and, through the workflow, the timeline). */
export class ConsolePager implements Pager {
  constructor(private readonly log: Logger) {}

  async trigger(page: Page): Promise<{ delivered: string }> {
    this.log.warn(`[page ${page.targets.join(', ')}] ${page.incidentId} ${page.severity}: ${page.summary}`);
    return { delivered: 'the server log' };
  }

  async update({ incidentId, action }: PageUpdate): Promise<{ delivered: string }> {
    this.log.info(`[page] ${incidentId} ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}`);
    return { delivered: 'the server log' };
  }
}
