import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createLogger } from '../integrations/log.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { LocalFileTicketProvider } from '../integrations/ticketing/local-file.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { durationMs } from '../runbooks/duration.js';
import { selectRunbook, type LoadedRunbook, type RunbookLibrary } from '../runbooks/library.js';
import type { ApproverGroups, RunbookStep } from '../runbooks/schema.js';
import { RunbookSource } from '../runbooks/source.js';
import { CATEGORIES, type Category, type IncidentState, type Severity, type StepStatus } from '../workflows/types.js';
import { IncidentService } from './incident-service.js';
import type { DrillDecision } from './drill-decisions.js';
import {
  classifyForDrill,
  playObligations,
  type DrillClassification,
  type DrillObligationPlay,
} from './drill-obligation.js';
import { obligationKpis, type ObligationKpis } from './kpis/obligation-kpis.js';
import { createLocalWorker, startTimeSkipping } from './time-skipping.js';

export interface DrillOptions {
  /** A runbook id, or a category: the runbook declaring with that category would choose. */
  runbookId: string;
  runbooksDir: string;
  severity?: Severity;
  /** One per containment step, in order; missing ones are `approve`. */
  decisions?: DrillDecision[];
  /** Classify the incident at declaration and play the obligations' clocks (drill-obligation.ts). */
  classify?: DrillClassification;
  /** Aborting stops the test server at once (Ctrl-C must not leave it running). */
  signal?: AbortSignal;
}

export interface DrillReport {
  runbook: { id: string; title: string; file: string; hash: string };
  severity: Severity;
  played: { stepId: string; decision: DrillDecision; status: StepStatus; result?: string }[];
  /** On the drill's clock, from declaration to the first verified containment. */
  timeToMitigateMs?: number;
  mitigationTarget?: string;
  targetMet?: boolean;
  wallClockMs: number;
  incident: IncidentState;
  /** With `classify`: each obligation's clock as played, and the KPIs of the drill's incident. */
  obligations?: DrillObligationPlay[];
  obligationKpis?: ObligationKpis;
}

const IC = 'drill-ic';

/**
 * Plays a whole incident of one runbook on the time-skipping test server with local providers: a
 * tabletop exercise in seconds. Timeouts pass on the server's clock, so escalations happen as they would.
 */
export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const started = Date.now();
  const runbooks = new RunbookSource(options.runbooksDir);
  const library = await runbooks.requireValid();
  const { chosen, category } = drillRunbook(library, options.runbookId);
  const { runbook } = chosen;
  const severity = options.severity ?? runbook.severity.default;
  const decisions = options.decisions ?? [];
  if (decisions.length > runbook.containment.length) {
    throw new Error(
      `${runbook.id} has ${runbook.containment.length} containment steps; got ${decisions.length} decisions`,
    );
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'incident-drill-'));
  const flags = new LocalFileFlagProvider(join(dataDir, 'flags.json'));
  await flags.ensureExists();
  const tickets = new LocalFileTicketProvider(join(dataDir, 'tickets.json'));
  const env = await startTimeSkipping();
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= env.teardown());
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  try {
    options.signal?.throwIfAborted();
    const taskQueue = 'drill';
    const worker = await createLocalWorker(env, {
      taskQueue,
      flags,
      runbooks,
      tickets,
      notifier: new LocalLogNotifier(join(dataDir, 'notifications.jsonl'), createLogger('error')),
    });
    return await worker.runUntil(async () => {
      const service = new IncidentService(env.client, { taskQueue, runbooks, tickets });
      const { id } = await service.declare({
        title: `Drill: ${runbook.title}`,
        category,
        severity,
        declaredBy: IC,
        runbookId: runbook.id,
      });
      if (options.classify) await classifyForDrill(service, id, IC, options.classify);
      const played: DrillReport['played'] = [];
      for (const [index, spec] of runbook.containment.entries()) {
        const decision = decisions[index] ?? 'approve';
        const before = (await service.get(id)).steps.find((s) => s.id === spec.id)!;
        if (before.status !== 'pending') {
          // Its own timeout passed while an earlier step's did, and it ran pre-approved.
          played.push({
            stepId: spec.id,
            decision,
            status: before.status,
            result: `not decided: already ${before.status}${before.result ? `; ${before.result}` : ''}`,
          });
          continue;
        }
        if (decision === 'timeout' || decision === 'ignore') {
          const timeout = durationMs(spec.approval.timeoutBySeverity[severity] ?? spec.approval.timeout);
          const waits = decision === 'ignore' ? spec.approval.escalation.length + 1 : 1;
          await env.sleep(timeout * waits + 1_000);
        } else {
          const actor = approverFor(spec, library.groups);
          await service.decide(
            id,
            { stepId: spec.id, decision, ...(decision === 'reject' ? { reason: 'drill' } : {}) },
            actor,
          );
        }
        const step = (await service.get(id)).steps.find((s) => s.id === spec.id)!;
        played.push({
          stepId: spec.id,
          decision,
          status: step.status,
          ...(step.result ? { result: step.result } : {}),
        });
      }
      const obligations = options.classify ? await playObligations(env, service, id, IC, options.classify) : undefined;
      await service.resolve(id, IC, 'Drill complete');
      // A drill has no corrective actions: the IC signs the draft off, and the incident closes.
      await service.completePostmortem(id, IC);
      // Leave the containment in place: the drill ends now, not when the undo offer runs out.
      for (const undo of (await service.get(id)).steps.filter((s) => s.kind === 'undo' && s.status === 'pending')) {
        await service.decide(id, { stepId: undo.id, decision: 'reject', reason: 'drill: containment stays' }, IC);
      }
      const incident = (await env.client.workflow.getHandle(id).result()) as IncidentState;
      const timeToMitigateMs = incident.mitigatedAt
        ? Date.parse(incident.mitigatedAt) - Date.parse(incident.declaredAt)
        : undefined;
      const target = runbook.mitigationTargets[severity];
      return {
        runbook: { id: runbook.id, title: runbook.title, file: basename(chosen.file), hash: chosen.hash },
        severity,
        played,
        ...(timeToMitigateMs === undefined ? {} : { timeToMitigateMs }),
        ...(target
          ? {
              mitigationTarget: target,
              targetMet: timeToMitigateMs !== undefined && timeToMitigateMs <= durationMs(target),
            }
          : {}),
        wallClockMs: Date.now() - started,
        incident,
        ...(obligations ? { obligations, obligationKpis: obligationKpis(incident.obligations ?? []) } : {}),
      };
    });
  } finally {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export class UnknownDrillRunbookError extends Error {
  constructor(name: string, library: RunbookLibrary) {
    super(
      `No runbook or category "${name}" (runbooks: ${library.runbooks.map((r) => r.runbook.id).join(', ')}; categories: ${CATEGORIES.join(', ')})`,
    );
    this.name = 'UnknownDrillRunbookError';
  }
}

/** A runbook by id, else a category resolved as declaring with it resolves it; and the category the drill declares. */
export function drillRunbook(library: RunbookLibrary, name: string): { chosen: LoadedRunbook; category: Category } {
  const byId = library.runbooks.find((r) => r.runbook.id === name);
  if (byId) return { chosen: byId, category: byId.runbook.match.categories[0] ?? 'other' };
  if (!(CATEGORIES as readonly string[]).includes(name)) throw new UnknownDrillRunbookError(name, library);
  const category = name as Category;
  return { chosen: selectRunbook(library, { category }), category };
}

/** The drill's IC decides where it may; otherwise the first named approver. */
function approverFor(step: RunbookStep, groups: ApproverGroups): string {
  const refs = step.approval.approvers;
  if (refs.includes('ic')) return IC;
  const ref = refs[0]!;
  return ref.startsWith('user:') ? ref.slice('user:'.length) : (groups[ref.slice('group:'.length)]?.[0] ?? IC);
}
