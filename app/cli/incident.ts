#!/usr/bin/env node
// The `incident` command: the HTTP JSON API from a terminal.
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type {
  ContainmentStep,
  CorrectiveAction,
  IncidentState,
  Postmortem,
  Severity,
  StatusUpdate,
} from '../../workflows/types.js';
import type { Kpis } from '../kpis/compute.js';
import { SEVERITIES } from '../../workflows/types.js';
import { DRILL_DECISIONS, type DrillDecision } from '../drill-decisions.js';
import { loadRunbookLibrary } from '../../runbooks/library.js';
import { durationPattern } from '../../runbooks/duration.js';
import { IncidentError } from '../incident-error.js';
import { formatProblem } from '../../runbooks/source.js';
import { ConfigError, parseEnv } from '../config.js';
import type { IncidentSummary } from '../incident-service.js';
import { ApiClient, ApiError } from './api-client.js';
import { tokenCommand } from './token-command.js';
import { inboxCommand } from './inbox-command.js';
import { obligationCommand } from './obligation-command.js';
import { exportCommand, verifyExportCommand } from './export-command.js';
import { overrideEvidenceCommand } from './evidence-command.js';
import {
  formatActions,
  formatDrill,
  formatIncident,
  formatKpis,
  formatList,
  formatStep,
  formatUpdate,
} from './format.js';
import { durationMs } from '../../runbooks/duration.js';

const USAGE = `Usage: incident <command> [options]

Commands
  declare [TITLE] --category C --severity P0-P3 [--description D] [--commander U] [--runbook ID]
          [--service S] [--detected-at ISO]   the affected service (for repeats); when the impact began
  list [--all] [--status S] [--severity P] [--runbook ID] [--commander U] [--service S] [--since 7d]
       [--limit N] [--cursor C]         open incidents, newest first (--all: closed ones too), N at most
                                        (50); a longer list ends with the command for the next ones
  show ID                               state, containment steps and the whole timeline
  approve ID STEP [--reason R]          approve a containment step (the IC or a listed approver)
  reject ID STEP --reason R             reject a containment step
  override-evidence ID STEP --reason R  the IC lets a step whose evidence could not be captured run
                                        (preserveEvidence: required holds it until then)
  resolve ID --summary S                resolve (the IC only)
  sev ID P0-P3                          change severity
  ic ID USER                            hand the incident commander role to USER
  triage ID ITEM [--note N]             tick off a triage checklist item
  ack ID                                the IC acknowledges (stops the time-to-acknowledge clock)
  publish ID --title T                  put the incident on the public status page (/status) as T, or change
                                        its public title (the IC by default)
  update ID TEXT [--impact I] [--next 30m] [--public]
                                        a status update to the stakeholders (the IC or a communicator);
                                        --next: when the next one comes; --public: on the status page too
  postmortem ID [--complete]            the postmortem draft (Markdown); --complete: the IC signs it off
  action add ID --title T --owner U [--kind detect|mitigate|prevent] [--due YYYY-MM-DD]
                                        a corrective action (kind prevent and the runbook's due date by default)
  action list ID                        corrective actions, their tickets and due dates
  action close ID ACTION                its ticket is done (closes it in the local tracker)
  action waive ID ACTION --reason R     the IC drops an action, with the reason
  classify ID CLASSIFICATION --reason R [--aware-at ISO]
                                        classify the incident (personal-data-breach, serious-incident,
                                        serious-incident:death, …): starts the runbook's obligations' clocks
  unclassify ID CLASSIFICATION --reason R   withdraw a classification; its clocks stop
  obligation list ID                    the obligations, their due times, reminders and submissions
  obligation submit ID OBLIGATION --reference REF --phase initial|follow-up|final [--reasons R]
                                        record a report submitted; after the deadline --reasons is required
  report-draft ID OBLIGATION            the report draft (Markdown): the regime's items, filled or "not yet known"
  export ID [--out DIR]                 the audit record, DIR/ID.export.json (for the auditor: the timeline as
                                        a sha256 hash chain) and DIR/ID.export.md (redacted, for people)
  verify-export FILE                    recompute an export's hash chain offline: OK with the entry count and
                                        final hash, or the first entry that does not match (exit 1)
  report [--since 30d]                  KPIs: time to detect/acknowledge/mitigate/resolve, targets, repeats, actions
  inbox [--follow] [--limit N]          the local notification inbox ($DATA_DIR/notifications.jsonl), newest
                                        last (the last N); --follow keeps printing what arrives
  runbooks list                         the runbooks new incidents can use (from the server)
  runbooks validate [DIR]               check runbook files (default ./runbooks); exits 1 on any error
  token create --user U [--expires 90d] [--local]   a personal API token for U, shown once (an admin;
                                        --local: in the data directory, as the operator on the server's host)
  token list [--local]                  the API tokens (never the tokens themselves)
  token revoke TOKEN_ID [--local]       revoke one
  drill RUNBOOK [--severity P1] [--decisions approve,reject,timeout,ignore,…] [--runbooks DIR]
        [--classify C [--submit-at 20h]]  also classify it at once and play the obligations' clocks: the
                                        report at --submit-at after awareness, else after the deadline
                                        play a whole incident on the time-skipping test server, locally;
                                        RUNBOOK may be a category: the runbook declaring with it would use

Options
  --as USER     who you are, on a server with no identity source (default: $INCIDENT_USER, else your
                login name); with INCIDENT_TOKEN the token says who you are
  --json        print the API's JSON instead of text
  -h, --help    this text

Environment
  INCIDENT_API_URL  the server (default http://127.0.0.1:3000)
  INCIDENT_TOKEN    your personal API token (irt_…) or an OpenID Connect access token
  API_TOKEN         the server's shared token (reads; typed writes on a loopback server)
  DATA_DIR          with --local and inbox: the server's data directory (default .data)
  NOTIFICATIONS_FILE  the inbox, if not $DATA_DIR/notifications.jsonl`;

const cliEnv = z.object({
  INCIDENT_API_URL: z
    .url({ error: 'must be an http(s) URL such as http://127.0.0.1:3000' })
    .default('http://127.0.0.1:3000'),
  API_TOKEN: z.string().optional(),
  INCIDENT_TOKEN: z.string().trim().min(1).optional(),
  INCIDENT_USER: z.string().trim().min(1).optional(),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  NOTIFICATIONS_FILE: z.string().trim().min(1).optional(),
  TOKEN_HASH_KEY: z.string().optional(),
});

class UsageError extends Error {}

/** `--next 30m` (from now) or an ISO date-time, as the API takes it. */
function nextUpdateAt(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  try {
    return new Date(Date.now() + durationMs(value)).toISOString();
  } catch {
    throw new UsageError(`--next must be a duration such as 30m or 2h, or an ISO date-time, not "${value}"`);
  }
}

const defaultRunbooksDir = fileURLToPath(new URL('../../../runbooks', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      as: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      all: { type: 'boolean', default: false },
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      title: { type: 'string' },
      category: { type: 'string' },
      severity: { type: 'string' },
      description: { type: 'string' },
      commander: { type: 'string' },
      runbook: { type: 'string' },
      service: { type: 'string' },
      'detected-at': { type: 'string' },
      'aware-at': { type: 'string' },
      reference: { type: 'string' },
      phase: { type: 'string' },
      reasons: { type: 'string' },
      classify: { type: 'string' },
      'submit-at': { type: 'string' },
      note: { type: 'string' },
      decisions: { type: 'string' },
      runbooks: { type: 'string' },
      reason: { type: 'string' },
      summary: { type: 'string' },
      owner: { type: 'string' },
      kind: { type: 'string' },
      due: { type: 'string' },
      since: { type: 'string' },
      complete: { type: 'boolean', default: false },
      impact: { type: 'string' },
      next: { type: 'string' },
      public: { type: 'boolean', default: false },
      user: { type: 'string' },
      expires: { type: 'string' },
      local: { type: 'boolean', default: false },
      follow: { type: 'boolean', short: 'f', default: false },
      out: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }

  const env = parseEnv(cliEnv, process.env);
  const api = new ApiClient(env.INCIDENT_API_URL, env.INCIDENT_TOKEN ?? env.API_TOKEN);
  // With a token the server knows who you are; a name is sent only when you give one (it must match).
  const actor = values.as ?? env.INCIDENT_USER ?? (env.INCIDENT_TOKEN ? undefined : userInfo().username);
  const print = <T>(result: T, text: (r: T) => string) =>
    process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : text(result)}\n`);
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`${command} needs ${what}`);
    return encodeURIComponent(value);
  };

  switch (command) {
    case 'declare': {
      const title = values.title ?? (args.join(' ') || undefined);
      const body = {
        title,
        category: values.category,
        severity: values.severity?.toUpperCase(),
        description: values.description,
        commander: values.commander,
        declaredBy: actor,
        runbook: values.runbook,
        service: values.service,
        detectedAt: values['detected-at'],
      };
      const { id } = await api.post<{ id: string }>('/api/incidents', body);
      const incident = await api.get<IncidentState>(`/api/incidents/${id}`);
      print(
        incident,
        (i) =>
          `Declared ${i.id} (${i.severity} ${i.category}): ${i.title}\n  commander ${i.commander}\n  runbook   ${i.runbook?.id ?? 'loading'}\n${pending(i)}\n  next      incident show ${i.id}`,
      );
      return 0;
    }
    case 'list': {
      // Page through the API until --limit incidents are shown (50 by default) or the list ends.
      const wanted = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(wanted) || wanted < 1) throw new UsageError('--limit must be a whole number above 0');
      const filter = new URLSearchParams();
      const status = values.status ?? (values.all ? 'all' : undefined);
      if (status) filter.set('status', status);
      for (const name of ['severity', 'runbook', 'commander', 'service', 'since'] as const)
        if (values[name] !== undefined) filter.set(name, values[name]);
      const incidents: IncidentSummary[] = [];
      let cursor = values.cursor;
      do {
        const query = new URLSearchParams(filter);
        query.set('limit', String(Math.min(500, wanted - incidents.length)));
        if (cursor) query.set('cursor', cursor);
        const page = await api.get<{ incidents: IncidentSummary[]; next?: string }>(
          `/api/incidents?${query.toString()}`,
        );
        incidents.push(...page.incidents);
        cursor = page.next;
      } while (cursor && incidents.length < wanted);
      const again = [...filter].map(([name, value]) => `--${name} ${JSON.stringify(value)}`);
      print(incidents, (shown) =>
        [
          formatList(shown),
          ...(cursor ? [`More: incident list ${[...again, `--limit ${wanted}`, `--cursor ${cursor}`].join(' ')}`] : []),
        ].join('\n'),
      );
      return 0;
    }
    case 'show':
      print(await api.get<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}`), formatIncident);
      return 0;
    case 'approve':
    case 'reject': {
      const id = need(args[0], 'an incident ID');
      const stepId = args[1];
      if (!stepId) throw new UsageError(`${command} needs a STEP (see \`incident show ${args[0]}\`)`);
      const step = await api.post<ContainmentStep>(`/api/incidents/${id}/approvals`, {
        stepId,
        decision: command,
        actor,
        reason: values.reason,
      });
      print(step, formatStep);
      return step.status === 'failed' ? 1 : 0;
    }
    case 'resolve': {
      const incident = await api.post<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}/resolve`, {
        actor,
        summary: values.summary,
      });
      print(incident, (i) => `${i.id} resolved at ${i.resolvedAt}: ${i.summary}`);
      return 0;
    }
    case 'sev': {
      const incident = await api.post<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}/severity`, {
        actor,
        severity: need(args[1], 'a severity (P0-P3)').toUpperCase(),
      });
      print(incident, (i) => `${i.id} is now ${i.severity}`);
      return 0;
    }
    case 'ic': {
      const incident = await api.post<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}/commander`, {
        actor,
        commander: args[1] ?? need(undefined, 'a USER to hand over to'),
      });
      print(incident, (i) => `${i.id} incident commander: ${i.commander}`);
      return 0;
    }
    case 'triage': {
      const incident = await api.post<IncidentState>(
        `/api/incidents/${need(args[0], 'an incident ID')}/triage/${need(args[1], 'a triage ITEM id')}`,
        { actor, note: values.note },
      );
      print(incident, (i) => i.triage.map((t) => `${t.done ? '[x]' : '[ ]'} ${t.id}  ${t.title}`).join('\n'));
      return 0;
    }
    case 'update': {
      const text = args.slice(1).join(' ');
      const update = await api.post<StatusUpdate>(`/api/incidents/${need(args[0], 'an incident ID')}/updates`, {
        actor,
        text,
        ...(values.impact !== undefined ? { impact: values.impact } : {}),
        ...(values.next !== undefined ? { nextUpdateAt: nextUpdateAt(values.next) } : {}),
        ...(values.public ? { visibility: 'public' } : {}),
      });
      print(update, (u) => `${args[0]!.toUpperCase()} ${formatUpdate(u)}`);
      return 0;
    }
    case 'ack': {
      const incident = await api.post<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}/acknowledge`, {
        actor,
      });
      print(incident, (i) => `${i.id} acknowledged by ${i.commander} at ${i.acknowledgedAt}`);
      return 0;
    }
    case 'publish': {
      const incident = await api.post<IncidentState>(`/api/incidents/${need(args[0], 'an incident ID')}/publish`, {
        actor,
        title: values.title ?? (args.slice(1).join(' ') || undefined),
      });
      print(
        incident,
        (i) => `${i.id} is on the status page as "${i.publicListing?.title}" (since ${i.publicListing?.since})`,
      );
      return 0;
    }
    case 'inbox': {
      const last = values.limit === undefined ? undefined : Number(values.limit);
      if (last !== undefined && (!Number.isInteger(last) || last < 1))
        throw new UsageError('--limit must be a whole number above 0');
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort()).once('SIGTERM', () => stop.abort());
      return inboxCommand({
        file: resolve(env.NOTIFICATIONS_FILE ?? join(env.DATA_DIR, 'notifications.jsonl')),
        follow: values.follow,
        json: values.json,
        ...(last !== undefined ? { last } : {}),
        write: (text) => process.stdout.write(text),
        signal: stop.signal,
      });
    }
    case 'postmortem': {
      const id = need(args[0], 'an incident ID');
      if (values.complete) {
        const incident = await api.post<IncidentState>(`/api/incidents/${id}/postmortem/complete`, { actor });
        const open = incident.actions.filter((a) => a.status === 'open').length;
        print(
          incident,
          (i) =>
            `${i.id}: postmortem completed by ${i.postmortem?.completedBy}; ${open ? `closes when its ${open} open action(s) end` : `status ${i.status}`}`,
        );
        return 0;
      }
      const postmortem = await api.get<Postmortem>(`/api/incidents/${id}/postmortem`);
      print(postmortem, (p) => p.markdown.trimEnd());
      return 0;
    }
    case 'action':
      return actionCommand(api, args, actor, values, print);
    case 'override-evidence':
      return overrideEvidenceCommand(api, args, actor, values.reason, print, (message) => new UsageError(message));
    case 'classify':
    case 'unclassify':
    case 'obligation':
    case 'report-draft':
      return obligationCommand(api, command, args, actor, values, print, (message) => new UsageError(message));
    case 'export':
      return exportCommand(api, need(args[0], 'an incident ID'), actor, values.out ?? '.', print);
    case 'verify-export':
      return verifyExportCommand(
        args[0] ?? need(undefined, 'the FILE an export wrote'),
        print,
        (message) => new UsageError(message),
      );
    case 'report': {
      const kpis = await api.get<Kpis>(`/api/kpis?since=${encodeURIComponent(values.since ?? '30d')}`);
      print(kpis, formatKpis);
      return 0;
    }
    case 'runbooks': {
      if (args[0] === 'validate') return validateRunbooks(args[1] ?? defaultRunbooksDir, values.json);
      if (args[0] === 'list' || args[0] === undefined) {
        const { runbooks } = await api.get<{
          runbooks: { id: string; title: string; categories: string[]; fallback: boolean }[];
        }>('/api/runbooks');
        print(runbooks, (list) =>
          list
            .map(
              (r) =>
                `${r.id.padEnd(30)} ${r.title}${r.fallback ? ' (fallback)' : ''}\n${''.padEnd(31)}categories: ${r.categories.join(', ') || '-'}`,
            )
            .join('\n'),
        );
        return 0;
      }
      throw new UsageError(`Unknown runbooks command "${args[0]}" (list, validate)`);
    }
    case 'token':
      return tokenCommand(
        api,
        args,
        {
          local: values.local,
          dataDir: env.DATA_DIR,
          ...(env.TOKEN_HASH_KEY ? { hashKey: env.TOKEN_HASH_KEY } : {}),
          ...(values.user ? { user: values.user } : {}),
          ...(values.expires ? { expires: values.expires } : {}),
          ...(actor ? { actor } : {}),
        },
        print,
        (message) => new UsageError(message),
      );
    case 'drill': {
      const runbookId = args[0];
      if (!runbookId) throw new UsageError('drill needs a RUNBOOK id or a category (see `incident runbooks validate`)');
      const decisions = (values.decisions ?? '').split(',').filter(Boolean);
      const bad = decisions.find((d) => !(DRILL_DECISIONS as readonly string[]).includes(d));
      if (bad) throw new UsageError(`--decisions takes ${DRILL_DECISIONS.join(', ')}; got "${bad}"`);
      const severity = values.severity?.toUpperCase();
      if (severity && !(SEVERITIES as readonly string[]).includes(severity))
        throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')}`);
      if (values['submit-at'] && !(values.classify && durationPattern.test(values['submit-at'])))
        throw new UsageError('--submit-at takes a duration such as 20h, with --classify');
      (await import('../temporal/runtime.js')).installTemporalRuntime('ERROR');
      const { runDrill, UnknownDrillRunbookError } = await import('../drill.js');
      const interrupted = new AbortController();
      const onSignal = () => {
        interrupted.abort();
        setTimeout(() => process.exit(130), 5_000); // if stopping hangs, still go
      };
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        const report = await runDrill({
          runbookId,
          runbooksDir: resolve(values.runbooks ?? defaultRunbooksDir),
          ...(severity ? { severity: severity as Severity } : {}),
          decisions: decisions as DrillDecision[],
          ...(values.classify
            ? {
                classify: {
                  classification: values.classify,
                  ...(values['submit-at'] ? { submitAt: values['submit-at'] } : {}),
                },
              }
            : {}),
          signal: interrupted.signal,
        });
        print(report, formatDrill);
        return 0;
      } catch (err) {
        if (err instanceof UnknownDrillRunbookError) throw new UsageError(err.message);
        if (err instanceof IncidentError) throw new UsageError(`the drill's incident refused: ${err.message}`);
        if (!interrupted.signal.aborted) throw err;
        process.stderr.write('incident: drill interrupted; its test server is stopped\n');
        return 130;
      }
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

async function validateRunbooks(dir: string, json: boolean): Promise<number> {
  const library = await loadRunbookLibrary(resolve(dir));
  if (json)
    process.stdout.write(
      `${JSON.stringify({ valid: library.problems.length === 0, runbooks: library.runbooks.map((r) => r.runbook.id), problems: library.problems }, null, 2)}\n`,
    );
  else if (library.problems.length)
    process.stderr.write(
      `${library.problems.map(formatProblem).join('\n')}\n${library.problems.length} problem(s) in ${dir}\n`,
    );
  else
    process.stdout.write(
      `${library.runbooks.length} runbooks valid in ${dir}: ${library.runbooks.map((r) => r.runbook.id).join(', ')}\n`,
    );
  return library.problems.length ? 1 : 0;
}

async function actionCommand(
  api: ApiClient,
  [sub, incidentId, actionId]: string[],
  actor: string | undefined,
  values: { title?: string; owner?: string; kind?: string; due?: string; reason?: string },
  print: <T>(result: T, text: (r: T) => string) => void,
): Promise<number> {
  if (!incidentId) throw new UsageError(`action ${sub ?? ''} needs an incident ID`.replace('  ', ' '));
  const base = `/api/incidents/${encodeURIComponent(incidentId)}/actions`;
  const needAction = () => {
    if (!actionId)
      throw new UsageError(`action ${sub} needs an ACTION id such as A1 (see \`incident action list ${incidentId}\`)`);
    return `${base}/${encodeURIComponent(actionId)}`;
  };
  switch (sub ?? '') {
    case 'add': {
      const action = await api.post<CorrectiveAction>(base, {
        actor,
        title: values.title,
        owner: values.owner,
        kind: values.kind ?? 'prevent',
        dueAt: values.due,
      });
      print(
        action,
        (a) => `${incidentId} ${a.id} added: ${a.title}\n  owner ${a.owner}, due ${a.dueAt}; a ticket is being filed`,
      );
      return 0;
    }
    case 'list': {
      const { actions } = await api.get<{ actions: CorrectiveAction[] }>(base);
      print(actions, formatActions);
      return 0;
    }
    case 'close': {
      const action = await api.post<CorrectiveAction>(`${needAction()}/close`, { actor });
      print(action, (a) => formatActions([a]));
      return 0;
    }
    case 'waive': {
      const action = await api.post<CorrectiveAction>(`${needAction()}/waive`, { actor, reason: values.reason });
      print(action, (a) => formatActions([a]));
      return 0;
    }
    default:
      throw new UsageError(`Unknown action command "${sub ?? ''}" (add, list, close, waive)`);
  }
}

function pending(incident: IncidentState): string {
  const steps = incident.steps.filter((s) => s.status === 'pending');
  if (!steps.length) return '  no containment step awaits a decision';
  return [
    '  awaiting a decision:',
    ...steps.map(
      (s) => `    ${s.id.padEnd(24)} ${s.title}\n    ${''.padEnd(24)} incident approve ${incident.id} ${s.id}`,
    ),
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ApiError) {
      process.stderr.write(`incident: ${err.message}${err.status ? ` (HTTP ${err.status})` : ''}\n`);
      process.exit(1);
    }
    if (
      err instanceof UsageError ||
      err instanceof ConfigError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`incident: ${(err as Error).message}\nRun \`incident help\` for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`incident: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
