import type { Page, Pager, PageUpdate } from '../integrations/paging/provider.js';
import { redact } from '../integrations/redaction/redact.js';
import { asActivityFailure } from './failure-classes.js';

export function createPagingActivities(pager: Pager) {
  return {
    async page(page: Page): Promise<{ delivered: string }> {
      return pager.trigger({ ...page, summary: redact(page.summary) }).catch(asActivityFailure);
    },
    async updatePage(update: PageUpdate): Promise<{ delivered: string }> {
      return pager.update(update).catch(asActivityFailure);
    },
  };
}
