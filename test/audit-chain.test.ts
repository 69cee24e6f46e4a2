// The audit export's pure parts: the canonical form, item 4's evidence records carried when an
// incident has them, and the verifier catching changes beside the timeline (the seal).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditBundle } from '../app/export/audit-bundle.js';
import { canonicalJson } from '../app/export/audit-chain.js';
import { renderAuditMarkdown } from '../app/export/audit-markdown.js';
import { verifyExport } from '../app/export/verify-export.js';
import type { IncidentState } from '../workflows/types.js';

const EVIDENCE_HASH = 'a'.repeat(64);

function incidentWithEvidence(): IncidentState {
  const state: IncidentState = {
    id: 'INC-7K3QX',
    title: 'Jailbreak via base64 prompts',
    category: 'jailbreak',
    severity: 'P1',
    description: 'Rolled back after the red team found it',
    status: 'triaging',
    commander: 'carol',
    declaredBy: 'carol',
    declaredAt: '2026-03-07T10:00:00.000Z',
    triage: [],
    steps: [],
    notified: [],
    paged: [],
    actions: [],
    timeline: [
      { at: '2026-03-07T10:00:00.000Z', type: 'declared', actor: 'carol', via: 'oidc', message: 'Declared' },
      {
        at: '2026-03-07T10:01:00.000Z',
        type: 'containment.approved',
        actor: 'sam',
        via: 'slack',
        message: 'Approved "disable-send-email"',
        data: { stepId: 'disable-send-email' },
      },
    ],
  };
  // As item 4 adds it: the field is not in this branch's IncidentState.
  return Object.assign(state, {
    evidence: [{ stepId: 'disable-send-email', sha256: EVIDENCE_HASH, status: 'captured', capturedAt: 'x' }],
  });
}

describe('the audit export, offline', () => {
  it('serialises canonically: sorted keys at every depth, no whitespace, undefined members left out', () => {
    assert.equal(
      canonicalJson({ b: [1, { d: 'é', c: null }], a: 'x', u: undefined }),
      '{"a":"x","b":[1,{"c":null,"d":"é"}]}',
    );
  });

  it("carries the incident's evidence hashes, and the seal catches one changed", () => {
    const bundle = auditBundle(
      incidentWithEvidence(),
      undefined,
      { actor: 'carol', via: 'oidc' },
      '2026-03-08T00:00:00.000Z',
    );
    assert.deepEqual(bundle.evidence, [
      { stepId: 'disable-send-email', sha256: EVIDENCE_HASH, status: 'captured', capturedAt: 'x' },
    ]);
    assert.equal('evidence' in bundle.incident, false, 'once, at the top level');
    assert.match(
      renderAuditMarkdown(bundle),
      new RegExp(`step disable-send-email: captured, sha256 \`${EVIDENCE_HASH}\``),
    );
    assert.deepEqual(
      bundle.decisions.map((d) => [d.decision, d.actor, d.via]),
      [
        ['declaration', 'carol', 'oidc'],
        ['approval', 'sam', 'slack'],
      ],
    );
    assert.equal(verifyExport(structuredClone(bundle)).ok, true);

    const changed = structuredClone(bundle);
    changed.evidence[0]!.sha256 = 'b'.repeat(64);
    const verification = verifyExport(changed);
    assert.equal(verification.ok, false);
    assert.match(!verification.ok ? verification.problem : '', /the seal does not match/);
  });
});
