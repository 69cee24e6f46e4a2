// What visibility knows of the incident: its search attributes and the read summary in its memo, which
// the list, the console, the KPIs and /metrics read instead of querying the incident (app/incident-index.ts).
import { condition, deprecatePatch, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { SUMMARY_MEMO_KEY, readSummaryOf, searchAttributesOf } from '../read-model.js';
import { IncidentChangedAt } from '../search-attributes.js';
import type { IncidentState } from '../types.js';

export class Visibility {
  private following = false;
  private publishedAttributes = '';
  private publishedSummary = '';

  /** `stopped`: the run is about to continue as new, and publishes nothing more (the next run does). */
  constructor(
    private readonly state: () => IncidentState,
    private readonly stopped: () => boolean,
  ) {}

  /**
   * Every search attribute and the read summary, republished whenever either differs from what was
   * last published, now and on any later change (a loop started on the first call).
   */
  publish() {
    deprecatePatch('read-side');
    this.publishChanges();
    if (this.following) return;
    this.following = true;
    const state = this.state();
    void (async () => {
      for (;;) {
        await condition(
          () =>
            !this.stopped() &&
            (this.publishedAttributes !== JSON.stringify(searchAttributesOf(state)) ||
              this.publishedSummary !== JSON.stringify(readSummaryOf(state))),
        );
        this.publishChanges();
      }
    })();
  }

  private publishChanges() {
    if (this.stopped()) return;
    const state = this.state();
    const attributes = searchAttributesOf(state);
    const summary = readSummaryOf(state);
    const [attributesJson, summaryJson] = [JSON.stringify(attributes), JSON.stringify(summary)];
    const changed = attributesJson !== this.publishedAttributes || summaryJson !== this.publishedSummary;
    // IncidentChangedAt with any change, for the KPI projection's refresh.
    if (changed) deprecatePatch('read-model-changed-at');
    const changedAt = changed ? [{ key: IncidentChangedAt, value: Date.now() }] : [];
    const upserts = [...(attributesJson !== this.publishedAttributes ? attributes : []), ...changedAt];
    if (upserts.length) upsertSearchAttributes(upserts);
    if (summaryJson !== this.publishedSummary) upsertMemo({ [SUMMARY_MEMO_KEY]: summary });
    this.publishedAttributes = attributesJson;
    this.publishedSummary = summaryJson;
  }
}
