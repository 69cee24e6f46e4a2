export { incidentWorkflow } from './incident/workflow.js';
export { correctiveActionWorkflow } from './corrective-action.js';
export { reminderDigestWorkflow } from './reminder-digest.js';
export { alertIntakeWorkflow } from './alert-intake.js';
