import type { Page, Pager } from '../integrations/paging/provider.js';

export function createPagingActivities(pager: Pager) {
  return {
    async page(page: Page): Promise<{ delivered: string }> {
      return pager.trigger(page);
    },
  };
}
