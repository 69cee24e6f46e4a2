// The incident as it shows in chat: its channel, a status message kept current, and a message per step
// that waits for a decision (buttons while it waits, the decision afterwards). It runs beside the
// incident and never holds it up: a chat service that is slow or down costs messages, not containment.
import { condition } from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities/index.js';
import type { ApprovalView, ChatChannel, StatusView } from '../../integrations/chat/provider.js';
import { approvalView, statusView } from './chat-views.js';
import type { ApproverGroups } from '../../runbooks/schema.js';
import type { ChannelRef, ContainmentStep, IncidentState, TimelineType } from '../types.js';
import { SYSTEM } from '../constants.js';
import { failureMessage } from '../failures.js';

export interface ChannelContext {
  state: IncidentState;
  chat: Pick<
    IncidentActivities,
    'openIncidentChannel' | 'showIncidentStatus' | 'pinChatMessage' | 'showApprovalRequest'
  >;
  /** The messages posted (key → ts) and what each last showed (key → view JSON); carried across runs. */
  memory: { messages: Map<string, string>; shown: Map<string, string> };
  /** A continued run: the channel was opened (or not) by an earlier run; only follow it. */
  resumed: boolean;
  /** The runbook's responders: `ic`, `user:<id>`, `group:<name>`. */
  responders: string[];
  groups: ApproverGroups;
  /** Whether a step waits for a person (rather than running on its own). */
  needsDecision: (step: ContainmentStep) => boolean;
  describeApprovers: (step: ContainmentStep) => string;
  record: (type: TimelineType, actor: string, message: string) => void;
  /** Tells the incident's other places (its record ticket) where the channel is. */
  opened: (channel: ChannelRef) => void;
}

export async function followInChannel(ctx: ChannelContext): Promise<void> {
  const { state, chat } = ctx;
  if (ctx.resumed) return state.channel ? follow(ctx, state.channel) : undefined;
  let channel: ChatChannel | null;
  try {
    channel = await chat.openIncidentChannel({
      incidentId: state.id,
      title: state.title,
      severity: state.severity,
      people: [
        state.commander,
        ...ctx.responders.filter((r) => r.startsWith('user:')).map((r) => r.slice('user:'.length)),
      ],
      groups: Object.fromEntries(
        ctx.responders
          .filter((r) => r.startsWith('group:'))
          .map((r) => [r.slice('group:'.length), ctx.groups[r.slice('group:'.length)] ?? []]),
      ),
    });
  } catch (err) {
    ctx.record('chat.failed', SYSTEM, `Could not open the incident channel: ${failureMessage(err)}`);
    return;
  }
  if (!channel) return; // no chat configured
  const { invited, inviteProblem, ...ref } = channel;
  state.channel = ref;
  ctx.record(
    'chat.channel',
    SYSTEM,
    `Channel #${ref.name} opened${invited?.length ? `, ${invited.length} invited` : ''}${inviteProblem ? `; ${inviteProblem}` : ''}`,
  );
  ctx.opened(ref);
  return follow(ctx, ref);
}

/** Keeps the channel's messages current until the incident closes. */
async function follow(ctx: ChannelContext, ref: ChannelRef): Promise<void> {
  const { state, chat } = ctx;
  const { shown, messages } = ctx.memory;
  const wanted = () => desiredMessages(ctx, [...messages.keys()]);
  const changed = () => wanted().some(([key, view]) => shown.get(key) !== JSON.stringify(view));

  for (;;) {
    for (const [key, view] of wanted()) {
      const json = JSON.stringify(view);
      if (shown.get(key) === json) continue;
      shown.set(key, json); // a failure is recorded once; the next change tries again
      const ts = messages.get(key);
      try {
        const shownAt =
          key === 'status'
            ? await chat.showIncidentStatus({ channel: ref, view: view as StatusView, ...(ts ? { ts } : {}) })
            : await chat.showApprovalRequest({ channel: ref, view: view as ApprovalView, ...(ts ? { ts } : {}) });
        messages.set(key, shownAt.ts);
        if (key === 'status' && !ts) await chat.pinChatMessage({ channel: ref, ts: shownAt.ts });
      } catch (err) {
        ctx.record(
          'chat.failed',
          SYSTEM,
          `Could not ${ts ? 'update' : 'post'} the ${key === 'status' ? 'status message' : `approval request of "${key.slice(5)}"`}: ${failureMessage(err)}`,
        );
      }
    }
    if (state.status === 'closed' && !changed()) return;
    await condition(changed);
  }
}

/** The status message, and an approval message for each step that waits for a decision or has one. */
function desiredMessages(ctx: ChannelContext, posted: string[]): [string, StatusView | ApprovalView][] {
  const { state } = ctx;
  const waiting = state.steps.filter((s) => s.status === 'pending' && ctx.needsDecision(s));
  const approvals = state.steps
    .filter((s) => waiting.includes(s) || posted.includes(`step:${s.id}`))
    .map((s): [string, ApprovalView] => [`step:${s.id}`, approvalView(state, s, ctx.describeApprovers(s))]);
  return [['status', statusView(state, waiting.length)], ...approvals];
}
