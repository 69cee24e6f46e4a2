// Who may do what to an incident (product.md §8): a product-wide policy file (runbooks/policy.yaml),
// which a runbook's own `policy` section narrows or widens for its incidents. Pure data and zod: the
// workflow judges requests against the snapshot its incident keeps.
import { z } from 'zod';
import { SEVERITIES } from './vocabulary.js';
import { DEFAULT_POLICY } from './roles.js';

export { DEFAULT_POLICY, type Permission, type Policy, type RoleRef } from './roles.js';

export const POLICY_FILE = 'policy.yaml';

/**
 * `anyone` (any identified person), `ic` (the incident commander now), `owner` (a corrective action's
 * owner), `approvers` (whoever may decide any containment step of the incident), `user:<id>`, `group:<name>`.
 */
export const roleRef = z
  .string()
  .regex(
    /^(anyone|ic|owner|approvers|user:\S+|group:[a-z0-9][a-z0-9-]*)$/,
    'must be "anyone", "ic", "owner", "approvers", "user:<id>" or "group:<name>"',
  );

const who = z.array(roleRef).min(1, 'name at least one role');
const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });

const permissions = {
  declare: who.describe('may declare an incident (through the API, the CLI, the console or Slack)'),
  changeSeverity: who.describe('may change the severity of an open incident'),
  severityTo: z
    .partialRecord(severity, who)
    .describe('stricter: who may set the severity to these levels (e.g. P0); replaces changeSeverity for them'),
  handover: who.describe('may hand command to someone else; refused after resolution'),
  resolve: who.describe('may resolve the incident'),
  acknowledge: who.describe('may acknowledge the incident'),
  triage: who.describe('may mark a triage item done'),
  addAction: who.describe('may add a corrective action'),
  closeAction: who.describe('may close a corrective action'),
  waiveAction: who.describe('may waive a corrective action (with a reason)'),
  completePostmortem: who.describe('may sign off the postmortem'),
  publish: who.describe('may publish the incident on the public status page, with its public title'),
  classify: who.describe(
    "may classify the incident (personal-data-breach, serious-incident, …), starting the runbook's obligations, or withdraw a classification",
  ),
  postUpdate: who.describe(
    'may post a status update to the stakeholders (the IC and any communicators, e.g. group:comms)',
  ),
  exportRecord: who.describe(
    "may export the incident's audit record (incident export); the responsible group of any of its obligations may too",
  ),
  administerTokens: who.describe('may create, list and revoke personal API tokens'),
};

/** The product-wide file: every permission, each defaulting to DEFAULT_POLICY. */
export const policySchema = z.strictObject({
  declare: permissions.declare.default(DEFAULT_POLICY.declare),
  changeSeverity: permissions.changeSeverity.default(DEFAULT_POLICY.changeSeverity),
  severityTo: permissions.severityTo.default(DEFAULT_POLICY.severityTo),
  handover: permissions.handover.default(DEFAULT_POLICY.handover),
  resolve: permissions.resolve.default(DEFAULT_POLICY.resolve),
  acknowledge: permissions.acknowledge.default(DEFAULT_POLICY.acknowledge),
  triage: permissions.triage.default(DEFAULT_POLICY.triage),
  addAction: permissions.addAction.default(DEFAULT_POLICY.addAction),
  closeAction: permissions.closeAction.default(DEFAULT_POLICY.closeAction),
  waiveAction: permissions.waiveAction.default(DEFAULT_POLICY.waiveAction),
  completePostmortem: permissions.completePostmortem.default(DEFAULT_POLICY.completePostmortem),
  publish: permissions.publish.default(DEFAULT_POLICY.publish),
  classify: permissions.classify.default(DEFAULT_POLICY.classify),
  postUpdate: permissions.postUpdate.default(DEFAULT_POLICY.postUpdate),
  exportRecord: permissions.exportRecord.default(DEFAULT_POLICY.exportRecord),
  administerTokens: permissions.administerTokens.default(DEFAULT_POLICY.administerTokens),
});

/** A runbook's `policy`: only what differs for its incidents. */
export const runbookPolicySchema = z.strictObject(permissions).partial().default({});

/** The policy an incident of this runbook runs under. */
