import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { exampleFlags } from '../integrations/flags/local-file.js';
import { directoryJsonSchema, policyJsonSchema, runbookJsonSchema } from '../runbooks/json-schema.js';
import { loadRunbookLibrary, selectRunbook } from '../runbooks/library.js';
import { RunbookSource } from '../runbooks/source.js';
import { actionFor } from '../workflows/incident/step-actions.js';
import { repoRoot, tempDir } from './support/paths.js';

const libraryDir = join(repoRoot, 'runbooks');
const cliJs = join(repoRoot, 'dist', 'app', 'cli', 'incident.js');

async function libraryCopy(): Promise<string> {
  const dir = await tempDir('runbooks');
  await cp(libraryDir, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return dir;
}

function validate(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [cliJs, 'runbooks', 'validate', dir], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('the runbook library', () => {
  it('is valid, covers the AI incident kinds, and grounds each runbook in OWASP and NIST', async () => {
    const library = await loadRunbookLibrary(libraryDir);
    assert.deepEqual(library.problems, []);
    assert.deepEqual(library.runbooks.map((r) => r.runbook.id).sort(), [
      'excessive-agency',
      'generic',
      'harmful-output-spike',
      'model-regression',
      'poisoned-retrieval-index',
      'prompt-injection-tool-misuse',
      'sensitive-data-exposure',
      'unbounded-consumption',
    ]);
    for (const { runbook } of library.runbooks.filter((r) => !r.runbook.fallback)) {
      const frameworks = new Set(runbook.references.map((r) => r.framework));
      assert.ok(frameworks.has('OWASP-LLM-2025') && frameworks.has('NIST-AI-600-1'), `${runbook.id} lacks a reference`);
      assert.ok(runbook.triage.length >= 3, `${runbook.id} has a thin triage checklist`);
      assert.ok(runbook.containment.length >= 1, `${runbook.id} has no containment step`);
    }
    assert.equal(
      library.runbooks
        .filter((r) => r.runbook.fallback)
        .map((r) => r.runbook.id)
        .join(),
      'generic',
    );
  });

  it('acts only on flags the local provider has, with changes that fit them', async () => {
    const { runbooks } = await loadRunbookLibrary(libraryDir);
    for (const { runbook } of runbooks) {
      for (const step of runbook.containment) {
        const action = actionFor(step);
        if (action.type !== 'flag') continue;
        const current = exampleFlags.flagValues?.[action.flagKey];
        assert.notEqual(
          current,
          undefined,
          `${runbook.id}/${step.id}: flag ${action.flagKey} is not in the example flags`,
        );
        if (action.change.kind === 'setValue') {
          assert.equal(
            typeof action.change.value,
            typeof current,
            `${runbook.id}/${step.id}: a ${typeof current} flag`,
          );
          assert.notDeepEqual(action.change.value, current, `${runbook.id}/${step.id} changes nothing`);
        } else {
          assert.equal(typeof current, 'boolean', `${runbook.id}/${step.id} switches a non-boolean flag`);
        }
      }
    }
  });

  it('ships runbooks/schema.json and policy.schema.json generated from the zod schemas (run npm run runbooks:schema)', async () => {
    assert.equal(await readFile(join(libraryDir, 'schema.json'), 'utf8'), runbookJsonSchema());
    assert.equal(await readFile(join(libraryDir, 'policy.schema.json'), 'utf8'), policyJsonSchema());
    assert.equal(await readFile(join(libraryDir, 'directory.schema.json'), 'utf8'), directoryJsonSchema());
  });

  it('fills in the defaults: due days per severity and mitigation targets', async () => {
    const { runbooks } = await loadRunbookLibrary(libraryDir);
    const generic = runbooks.find((r) => r.runbook.id === 'generic')!.runbook;
    assert.deepEqual(generic.postmortem.actionDueDays, { P0: 14, P1: 30, P2: 60, P3: 90 });
    assert.deepEqual(generic.mitigationTargets, { P0: '4h', P1: '24h' });
    const leak = runbooks.find((r) => r.runbook.id === 'sensitive-data-exposure')!.runbook;
    assert.deepEqual(leak.postmortem.actionDueDays, { P0: 7, P1: 14, P2: 60, P3: 90 });
  });

  it('selects by id, alert labels, category, then the fallback', async () => {
    const library = await loadRunbookLibrary(libraryDir);
    assert.equal(
      selectRunbook(library, { runbookId: 'model-regression', category: 'abuse' }).runbook.id,
      'model-regression',
    );
    assert.equal(
      selectRunbook(library, { labels: { alertname: 'JailbreakSuccessRateHigh' } }).runbook.id,
      'prompt-injection-tool-misuse',
    );
    assert.equal(
      selectRunbook(library, { labels: { alertname: 'Unrelated' }, category: 'abuse' }).runbook.id,
      'unbounded-consumption',
    );
    assert.equal(selectRunbook(library, { category: 'other' }).runbook.id, 'generic');
    assert.throws(() => selectRunbook(library, { runbookId: 'nope' }), /No runbook "nope" \(known: /);
  });

  it('shows a new runbook to declarations at once, and to alert routing once its allowed age has passed', async () => {
    const dir = await libraryCopy();
    const source = new RunbookSource(dir);
    const ids = async (maxAgeMs?: number) => (await source.current(maxAgeMs)).runbooks.map((r) => r.runbook.id);
    // Ages far from the time a load takes, so a slow machine cannot flip them.
    assert.ok(!(await ids(60_000)).includes('added-later'));
    const generic = await readFile(join(dir, 'generic.yaml'), 'utf8');
    await writeFile(
      join(dir, 'added-later.yaml'),
      generic.replace(/^id: generic$/m, 'id: added-later').replace(/^fallback: true$/m, ''),
    );
    assert.ok(
      !(await ids(60_000)).includes('added-later'),
      'routing within the allowed age uses the library it last saw',
    );
    assert.ok((await ids()).includes('added-later'), 'a declaration sees the edit at once');
    await writeFile(
      join(dir, 'added-later.yaml'),
      generic.replace(/^id: generic$/m, 'id: added-again').replace(/^fallback: true$/m, ''),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok((await ids(10)).includes('added-again'), 'routing sees the edit once the allowed age has passed');
  });
});

describe('runbook validation', () => {
  it('names the file and the path of a typo in a step kind', async () => {
    const dir = await libraryCopy();
    const file = join(dir, 'model-regression.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('kind: model-rollback', 'kind: model-rolback'));
    const { problems } = await loadRunbookLibrary(dir);
    assert.deepEqual(
      problems.map((p) => [p.file, p.path]),
      [[file, 'containment[0].kind']],
    );
    assert.match(problems[0]!.message, /kind must be one of flag, model-rollback/);
  });

  it('takes a model rollback through a flag or a registered model, never both, and names the mistake', async () => {
    const dir = await libraryCopy();
    const steps = [
      '  - { id: both, kind: model-rollback, title: Both, flag: assistant-model-version, model: assistant-chat, to: "1" }',
      '  - { id: neither, kind: model-rollback, title: Neither, to: "1" }',
      '  - { id: latest, kind: model-rollback, title: Latest, model: assistant-chat, to: latest }',
      '  - { id: registry, kind: model-rollback, title: Registry, model: assistant-chat, to: previous }',
    ];
    await writeFile(
      join(dir, 'registry.yaml'),
      `id: registry\ntitle: Registry\ndescription: Model registry steps.\ncontainment:\n${steps.join('\n')}\n`,
    );
    const { problems, runbooks } = await loadRunbookLibrary(dir);
    assert.deepEqual(
      problems.filter((p) => p.file.endsWith('registry.yaml')).map((p) => `${p.path}: ${p.message}`),
      [
        'containment[0]: a model rollback names either a flag or a registered model, not both',
        'containment[1]: a model rollback names either a flag or a registered model, not both',
        'containment[2].to: with model: must be a version number or "previous"',
      ],
    );
    assert.equal(
      runbooks.some((r) => r.runbook.id === 'registry'),
      false,
    );
    const registryStep = {
      id: 'registry',
      kind: 'model-rollback',
      title: 'Registry',
      model: 'assistant-chat',
      alias: 'champion',
      to: 'previous',
    } as const;
    assert.deepEqual(actionFor({ ...registryStep, description: '', approval: {} as never }), {
      type: 'model',
      model: 'assistant-chat',
      alias: 'champion',
      to: 'previous',
    });
  });

  it('carries the context a flag change is verified for into the step action, and its undo', async () => {
    const dir = await libraryCopy();
    await writeFile(
      join(dir, 'targeted.yaml'),
      'id: targeted\ntitle: Targeted\ndescription: A kill switch verified for the affected tenant.\ncontainment:\n' +
        '  - { id: off-for-acme, kind: disable-tool, title: Tool off, tool: send-email, flag: agent-tools.send-email.enabled, context: { kind: organization, key: acme, plan: enterprise } }\n' +
        '  - { id: bad-context, kind: flag, title: Off, flag: ai-assistant-enabled, action: "off", context: { kind: organization } }\n',
    );
    const { problems } = await loadRunbookLibrary(dir);
    assert.deepEqual(
      problems.filter((p) => p.file.endsWith('targeted.yaml')).map((p) => `${p.path}: ${p.message}`),
      ['containment[1].context.key: Invalid input: expected string, received undefined'],
    );
    await writeFile(
      join(dir, 'targeted.yaml'),
      (await readFile(join(dir, 'targeted.yaml'), 'utf8')).split('\n').slice(0, 5).join('\n') + '\n',
    );
    const targeted = (await loadRunbookLibrary(dir)).runbooks.find((r) => r.runbook.id === 'targeted')!.runbook;
    assert.deepEqual(actionFor(targeted.containment[0]!), {
      type: 'flag',
      flagKey: 'agent-tools.send-email.enabled',
      change: { kind: 'turnOff' },
      context: { kind: 'organization', key: 'acme', plan: 'enterprise' },
    });
  });

  it('checks policy.yaml and directory.yaml like the runbooks: every problem with its file and path', async () => {
    const dir = await libraryCopy();
    await writeFile(join(dir, 'policy.yaml'), 'handover: [ic, group:no-such-group]\nresolve: [everyone]\n');
    await writeFile(
      join(dir, 'directory.yaml'),
      'people:\n  - { id: alice, email: alice@example.com, timezone: Mars/Olympus }\n  - { id: alicia, email: ALICE@example.com, slack: not-an-id }\n',
    );
    const { problems } = await loadRunbookLibrary(dir);
    const described = problems.map((p) => `${basename(p.file)} ${p.path}: ${p.message}`).sort();
    assert.deepEqual(described, [
      'directory.yaml people[0].timezone: must be an IANA time zone such as Europe/Paris',
      `directory.yaml people[1].email: email "ALICE@example.com" is also people[0]'s`,
      'directory.yaml people[1].slack: must be a Slack user id such as U0123ABCD',
      'policy.yaml resolve[0]: must be "anyone", "ic", "owner", "approvers", "user:<id>" or "group:<name>"',
    ]);
    await writeFile(join(dir, 'policy.yaml'), 'handover: [ic, group:no-such-group]\n');
    await writeFile(
      join(dir, 'directory.yaml'),
      'people:\n  - { id: alice, email: alice@example.com }\n  - { id: alicia, email: ALICE@example.com }\n',
    );
    const again = (await loadRunbookLibrary(dir)).problems
      .map((p) => `${basename(p.file)} ${p.path}: ${p.message}`)
      .sort();
    assert.deepEqual(again, [
      'directory.yaml people[1].email: email "ALICE@example.com" is also people[0]\'s',
      'policy.yaml handover[1]: unknown group "no-such-group" (groups are defined in groups.yaml: ' +
        again[1]!.split('groups.yaml: ')[1],
    ]);
  });

  it('names an unknown approver group with its path', async () => {
    const dir = await libraryCopy();
    const file = join(dir, 'excessive-agency.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('escalation: [[group:eng-managers]]', 'escalation: [[group:eng-manager]]'),
    );
    const { problems } = await loadRunbookLibrary(dir);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'containment[0].approval.escalation[0][0]');
    assert.match(
      problems[0].message,
      /unknown approver group "eng-manager" \(groups are defined in groups\.yaml: safety-oncall, /,
    );
  });

  it('reports YAML syntax errors with line and column, missing fields, duplicates and a missing fallback', async () => {
    const dir = await libraryCopy();
    await writeFile(join(dir, 'broken.yaml'), 'id: broken\ntitle: [unclosed\n');
    await writeFile(join(dir, 'thin.yaml'), 'id: thin\ntitle: Thin\n');
    await writeFile(
      join(dir, 'twin.yaml'),
      (await readFile(join(dir, 'generic.yaml'), 'utf8')).replace('fallback: true', 'fallback: false'),
    );
    const { problems } = await loadRunbookLibrary(dir);
    const byFile = (name: string) =>
      problems.filter((p) => p.file.endsWith(name)).map((p) => `${p.path}: ${p.message}`);
    assert.match(byFile('broken.yaml')[0] ?? '', /^line \d+, column \d+: /);
    assert.deepEqual(byFile('thin.yaml'), ['description: Invalid input: expected string, received undefined']);
    assert.deepEqual(byFile('twin.yaml'), ['id: runbook id "generic" is also used by generic.yaml']);
  });

  it('incident runbooks validate exits 1 listing every problem, 0 on the library', async () => {
    const ok = await validate(libraryDir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /8 runbooks valid/);
    const dir = await libraryCopy();
    const file = join(dir, 'generic.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('kind: flag', 'kind: flags').replace('default: P2', 'default: P5'),
    );
    const bad = await validate(dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`${file}: containment\\[0\\]\\.kind: kind must be one of`));
    assert.match(bad.stderr, new RegExp(`${file}: severity\\.default: must be one of P0, P1, P2, P3`));
  });
});
