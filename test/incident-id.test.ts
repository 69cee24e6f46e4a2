import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incidentIdPattern, newIncidentId, normalizeIncidentId } from '../app/incident-id.js';

describe('incident ids', () => {
  it('are short, typable and free of look-alike letters', () => {
    const ids = new Set(Array.from({ length: 2000 }, newIncidentId));
    for (const id of ids) assert.match(id, incidentIdPattern);
    assert.ok(ids.size > 1990, 'ids collide far more often than 32^5 allows');
    assert.ok(![...ids].some((id) => /[ILOU]/.test(id.slice(4))));
  });

  it('accept what people type', () => {
    assert.equal(normalizeIncidentId(' inc-7k3qx '), 'INC-7K3QX');
    assert.equal(normalizeIncidentId('inc7k3qx'), 'INC-7K3QX');
    assert.equal(normalizeIncidentId('INC-O1IL5'), 'INC-01115');
  });
});
