/**
 * approve / reject: the step's approver decides. timeout: nobody decides for one timeout.
 * ignore: nobody decides until the step's whole escalation chain has run out.
 */
export const DRILL_DECISIONS = ['approve', 'reject', 'timeout', 'ignore'] as const;
export type DrillDecision = (typeof DRILL_DECISIONS)[number];
