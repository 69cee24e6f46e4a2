export { incidentWorkflow } from './incident.js';
export { correctiveActionWorkflow } from './corrective-action.js';
export { reminderDigestWorkflow } from './reminder-digest.js';
export { alertGroupWorkflow } from './alert-group.js';
