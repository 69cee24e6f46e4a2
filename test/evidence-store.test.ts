// The parts of evidence capture that need no Temporal: the runbook fields, redaction of content larger than
// one redactor field, and the content-addressed store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256Hex } from '../integrations/evidence/content-address.js';
import { redactContent } from '../integrations/evidence/redact-content.js';
import { LocalEvidenceStore } from '../integrations/evidence/store.js';
import { captureSnapshot } from '../integrations/evidence/snapshot.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { LocalFileModelRegistry } from '../integrations/model-registry/local-file.js';
import { MAX_REDACTED_CHARS } from '../integrations/redaction/redact.js';
import { loadRunbookLibrary } from '../runbooks/library.js';
import { repoRoot, tempDir } from './support/paths.js';
import { cp } from 'node:fs/promises';

const SECRET = 'sk-proj-Q8vX2mL9pR4sT7wZ1yB6nK3jH5gF0dCaEiUoP';

describe('evidence: runbook fields', () => {
  it('refuses preserveEvidence on a step that changes nothing, a non-GET source and duplicate source ids, naming the path', async () => {
    const dir = await tempDir('evidence-runbooks');
    await cp(join(repoRoot, 'runbooks'), dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    await writeFile(
      join(dir, 'reads.yaml'),
      [
        'id: reads',
        'title: Reads',
        'description: Evidence fields used wrongly.',
        'http: { allowedHosts: [api.example.com] }',
        'containment:',
        '  - { id: look, kind: http, title: Look, request: { method: GET, url: "https://api.example.com/state" }, preserveEvidence: required }',
        '  - { id: off, kind: flag, title: Off, flag: ai-assistant-enabled, action: "off", preserveEvidence: always }',
        'evidence:',
        '  - { id: traces, title: Traces, request: { method: POST, url: "https://api.example.com/traces" } }',
        '  - { id: traces, title: Again, request: { url: "https://api.example.com/traces", headers: { X-Key: "${env:API_TOKEN}" } } }',
        '  - { id: elsewhere, title: Elsewhere, request: { url: "https://other.example.com/logs" } }',
      ].join('\n') + '\n',
    );
    const { problems } = await loadRunbookLibrary(dir);
    const described = problems.filter((p) => p.file.endsWith('reads.yaml')).map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(described.sort(), [
      'containment[1].preserveEvidence: must be "required" or "preferred"',
      'evidence[0].request.method: evidence is only read: method must be GET',
    ]);
    await writeFile(
      join(dir, 'reads.yaml'),
      (await readFile(join(dir, 'reads.yaml'), 'utf8'))
        .replace('preserveEvidence: always', 'preserveEvidence: preferred')
        .replace('method: POST, ', ''),
    );
    const problemsOf = async () => {
      const { RUNBOOK_ENV_ALLOW: _allow, ...env } = process.env;
      const { problems: all } = await loadRunbookLibrary(dir, env);
      return all
        .filter((p) => p.file.endsWith('reads.yaml'))
        .map((p) => `${p.path}: ${p.message}`)
        .sort();
    };
    assert.deepEqual(await problemsOf(), [
      'containment[0].preserveEvidence: this step only reads (GET): it changes nothing, so there is no evidence to preserve before it',
      'evidence[1].id: duplicate evidence source id "traces"',
    ]);
    // Valid otherwise: the sources go through the http rules (allowed hosts, RUNBOOK_ENV_ALLOW) like http steps.
    await writeFile(
      join(dir, 'reads.yaml'),
      (await readFile(join(dir, 'reads.yaml'), 'utf8'))
        .replace(', preserveEvidence: required', '')
        .replace('{ id: traces, title: Again', '{ id: traces-2, title: Again'),
    );
    const [envProblem, hostProblem, ...rest] = await problemsOf();
    assert.deepEqual(rest, []);
    assert.match(envProblem!, /^evidence\[1\]\.request\.headers\.X-Key: \$\{env:API_TOKEN\} is not allowed/);
    assert.equal(
      hostProblem,
      'evidence[2].request.url: host other.example.com is not in http.allowedHosts (api.example.com)',
    );
  });

  it('ships preserveEvidence: required on the data-leak retrieval flag, and an evidence source', async () => {
    const { runbooks, problems } = await loadRunbookLibrary(join(repoRoot, 'runbooks'));
    assert.deepEqual(problems, []);
    const dataLeak = runbooks.find((r) => r.runbook.id === 'sensitive-data-exposure')!.runbook;
    assert.equal(dataLeak.containment.find((s) => s.id === 'disable-ticket-source')?.preserveEvidence, 'required');
    assert.deepEqual(
      dataLeak.evidence.map((s) => [s.id, s.request.method, (s.request as { allowedHosts?: string[] }).allowedHosts]),
      [['retrieval-traces', 'GET', ['traces.example.com']]],
    );
  });
});

describe('evidence: redaction and storage', () => {
  it('redacts a secret anywhere in content far larger than one redactor field, keeping the rest', () => {
    const filler = 'ok line\n'.repeat(Math.ceil((MAX_REDACTED_CHARS * 3) / 8));
    const text = `${filler}api key: ${SECRET}\n${filler}end\n`;
    const redacted = redactContent(text);
    assert.ok(!redacted.includes(SECRET));
    assert.ok(redacted.endsWith('end\n'), 'nothing cut');
    assert.ok(!redacted.includes('[truncated'));
    assert.equal(redacted.split('\n').length, text.split('\n').length);
  });

  it('redacts a secret at a piece boundary in a single long line', () => {
    const head = 'x'.repeat(MAX_REDACTED_CHARS - 20) + ' ';
    const redacted = redactContent(`${head}${SECRET} tail`);
    assert.ok(!redacted.includes(SECRET), 'the token straddling the first piece is caught whole');
    assert.ok(redacted.endsWith(' tail'));
  });

  it('stores a snapshot once, under its sha256, with no temporary file left behind', async () => {
    const dataDir = await tempDir('evidence-store');
    const store = new LocalEvidenceStore(dataDir);
    const content = Buffer.from('{"items":[]}\n');
    const hash = createHash('sha256').update(content).digest('hex');
    const first = await store.put(hash, content);
    const second = await store.put(hash, content);
    assert.deepEqual(first, second);
    assert.equal(first.location, `local:evidence/sha256/${hash.slice(0, 2)}/${hash}.json`);
    assert.deepEqual(await readFile(store.pathOf(hash)), content);
    assert.deepEqual(await readdir(join(dataDir, 'evidence', 'sha256', hash.slice(0, 2))), [`${hash}.json`]);
    assert.throws(() => store.pathOf('../../etc/passwd'), /sha256/);
  });

  it('reads a snapshot back only while it still hashes to its name, naming the location when not', async () => {
    const dataDir = await tempDir('evidence-get');
    const store = new LocalEvidenceStore(dataDir);
    const content = Buffer.from('{"items":["before"]}\n');
    const { location } = await store.put(sha256Hex(content), content);
    assert.deepEqual(await store.get(location), content);
    await writeFile(store.pathOf(sha256Hex(content)), '{"items":["after"]}\n');
    await assert.rejects(
      store.get(location),
      (err: Error) => err.message.includes(location) && /altered/.test(err.message),
    );
    await assert.rejects(store.get('local:../../etc/passwd'), /outside the local store/);
    await assert.rejects(store.get('s3://bucket/evidence/x.json'), /not a location in the local store/);
  });

  it('snapshots a model rollback’s alias and version; a registry without the model fails the snapshot, naming it', async () => {
    const dataDir = await tempDir('evidence-model');
    await writeFile(
      join(dataDir, 'models.json'),
      JSON.stringify({ models: { 'assistant-chat': { versions: ['1', '2', '4'], aliases: { champion: '4' } } } }),
    );
    const deps = {
      flags: new LocalFileFlagProvider(join(dataDir, 'flags.json')),
      models: new LocalFileModelRegistry(join(dataDir, 'models.json')),
      store: new LocalEvidenceStore(dataDir),
    };
    const request = {
      incidentId: 'INC-TEST1',
      stepId: 'rollback',
      moment: 'requested' as const,
      target: { type: 'model' as const, model: 'assistant-chat', alias: 'champion' },
      sources: [],
      triage: [
        {
          id: 'scope',
          title: 'Scope',
          done: { by: 'alice', at: '2026-12-01T10:00:00Z', note: 'mail me at a.b@example.com' },
        },
      ],
    };
    const taken = await captureSnapshot(request, deps);
    assert.equal(taken.status, 'captured');
    const file = JSON.parse(await readFile(deps.store.pathOf(taken.sha256!), 'utf8'));
    const state = JSON.parse(file.items.find((i: { kind: string }) => i.kind === 'provider-state').content);
    assert.equal(state.version, '4');
    const notes = file.items.find((i: { kind: string }) => i.kind === 'triage-notes').content as string;
    assert.ok(!notes.includes('a.b@example.com'), 'triage notes are redacted too');

    const missing = await captureSnapshot({ ...request, target: { ...request.target, model: 'nope' } }, deps);
    assert.equal(missing.status, 'failed');
    assert.match(missing.reason!, /^model nope "champion" could not be read: /);
    assert.ok(missing.sha256, 'what could be read is still stored');
  });
});
