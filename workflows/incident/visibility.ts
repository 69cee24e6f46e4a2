// What visibility knows of the incident: its search attributes and the read summary in its memo, which
// the list, the console, the KPIs and /metrics read instead of querying the incident (app/incident-index.ts).
import { condition, patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { SUMMARY_MEMO_KEY, readSummaryOf, searchAttributesOf } from '../read-model.js';
import {
  IncidentCategory,
  IncidentChangedAt,
  IncidentCommander,
  IncidentSeverity,
  IncidentStatus,
} from '../search-attributes.js';
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
   * Since 'read-side' (patched, so histories recorded before replay as they ran): every search
   * attribute and the read summary, republished whenever either differs from what was last published,
   * now and on any later change (a loop started on the first call). An incident running from before
   * the patch takes it up at its next publish.
   */
  publish() {
    const state = this.state();
    if (!patched('read-side')) {
      upsertSearchAttributes([
        { key: IncidentSeverity, value: state.severity },
        { key: IncidentStatus, value: state.status },
        { key: IncidentCategory, value: state.category },
        { key: IncidentCommander, value: state.commander },
      ]);
      return;
    }
    this.publishChanges();
    if (this.following) return;
    this.following = true;
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
    // Since 'read-model-changed-at': IncidentChangedAt with any change, for the KPI projection's refresh.
    const changedAt =
      changed && patched('read-model-changed-at') ? [{ key: IncidentChangedAt, value: Date.now() }] : [];
    const upserts = [...(attributesJson !== this.publishedAttributes ? attributes : []), ...changedAt];
    if (upserts.length) upsertSearchAttributes(upserts);
    if (summaryJson !== this.publishedSummary) upsertMemo({ [SUMMARY_MEMO_KEY]: summary });
    this.publishedAttributes = attributesJson;
    this.publishedSummary = summaryJson;
  }
}
