import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRunbookLibrary } from '../runbooks/library.js';
import { knownClassifications } from '../runbooks/obligations.js';
import { policySchema } from '../runbooks/policy.js';
import { classifyBody } from '../app/http/obligation-schemas.js';
import { repoRoot, tempDir } from './support/paths.js';

const libraryDir = join(repoRoot, 'runbooks');

async function libraryWith(file: string, edit: (text: string) => string): Promise<string> {
  const dir = await tempDir('obligations');
  await cp(libraryDir, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  return dir;
}

describe('obligations in the runbook library', () => {
  it('ships GDPR Art. 33 for data leaks and the EU AI Act Art. 73 clocks where AI harm is reported, citing them', async () => {
    const library = await loadRunbookLibrary(libraryDir);
    assert.deepEqual(library.problems, []);
    const of = (id: string) => library.runbooks.find((r) => r.runbook.id === id)!.runbook;

    const gdpr = of('sensitive-data-exposure').obligations;
    assert.deepEqual(
      gdpr.map((o) => [o.id, o.triggers, o.deadline, o.responsible, o.reminders, o.phases, o.report]),
      [
        [
          'gdpr-art-33',
          ['personal-data-breach'],
          '72h',
          'group:privacy-office',
          [50, 75, 90],
          ['initial', 'follow-up', 'final'],
          'gdpr-art-33',
        ],
      ],
    );
    assert.ok(of('sensitive-data-exposure').references.some((r) => r.framework === 'GDPR' && /Art\. 33/.test(r.item)));

    for (const id of ['harmful-output-spike', 'model-regression', 'generic']) {
      const runbook = of(id);
      assert.deepEqual(
        runbook.obligations.map((o) => [o.triggers.join('|'), o.deadline]),
        [
          ['serious-incident', '15d'],
          ['serious-incident:death', '10d'],
          ['widespread-infringement|critical-infrastructure', '2d'],
        ],
        id,
      );
      assert.ok(
        runbook.references.some((r) => r.framework === 'EU-AI-Act' && /Art\. 73/.test(r.item)),
        `${id} cites Art. 73`,
      );
      assert.deepEqual(knownClassifications(runbook.obligations), [
        'serious-incident',
        'serious-incident:death',
        'widespread-infringement',
        'critical-infrastructure',
      ]);
    }
  });

  it('names the field of a bad obligation: deadline, trigger, reminders, phases, an unknown group, a duplicate id', async () => {
    const dir = await libraryWith('sensitive-data-exposure.yaml', (text) =>
      text
        .replace('deadline: 72h', 'deadline: 72 hours')
        .replace('triggers: [personal-data-breach]', 'triggers: [Personal Data Breach]')
        .replace('responsible: group:privacy-office', 'responsible: group:privacy-offices\n    reminders: [90, 50]')
        .replace('report: gdpr-art-33', 'report: gdpr-art-33\n    phases: [final, initial]'),
    );
    const { problems } = await loadRunbookLibrary(dir);
    const messages = problems.map((p) => `${p.path}: ${p.message}`).sort();
    assert.deepEqual(messages, [
      'obligations[0].deadline: must be a duration such as 30s, 15m, 4h or 14d',
      'obligations[0].phases: must be in the order initial, follow-up, final',
      'obligations[0].reminders: must be ascending percentages, each once',
      'obligations[0].triggers[0]: must be a classification such as personal-data-breach or serious-incident:death',
    ]);

    const groups = await loadRunbookLibrary(
      await libraryWith('sensitive-data-exposure.yaml', (text) =>
        text.replace('responsible: group:privacy-office', 'responsible: group:privacy-offices'),
      ),
    );
    assert.deepEqual(
      groups.problems.map((p) => p.path),
      ['obligations[0].responsible'],
    );
    assert.match(groups.problems[0]!.message, /unknown approver group "privacy-offices"/);

    const twice = await loadRunbookLibrary(
      await libraryWith('generic.yaml', (text) => text.replace('id: ai-act-death', 'id: ai-act-serious-incident')),
    );
    assert.deepEqual(
      twice.problems.filter((p) => p.file.endsWith('generic.yaml')).map((p) => `${p.path}: ${p.message}`),
      ['obligations[1].id: duplicate obligation id "ai-act-serious-incident"'],
    );
  });

  it('lets the IC classify by default; policy.yaml names who else may', () => {
    assert.deepEqual(policySchema.parse({}).classify, ['ic']);
    assert.deepEqual(policySchema.parse({ classify: ['ic', 'group:privacy-office'] }).classify, [
      'ic',
      'group:privacy-office',
    ]);
    assert.throws(() => policySchema.parse({ classify: [] }), /name at least one role/);
  });
});

describe('the classification body the API takes', () => {
  it('names awareAt when it is in the future or no date-time, and lists the field of a missing reason', () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const fields = (body: unknown) => {
      const result = classifyBody.safeParse(body);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(fields({ classification: 'personal-data-breach', awareAt: future, reason: 'x' }), [
      'awareAt: must not be in the future',
    ]);
    assert.deepEqual(fields({ classification: 'personal-data-breach', awareAt: 'yesterday', reason: 'x' }), [
      'awareAt: must be an ISO date-time such as 2026-11-27T09:30:00Z',
    ]);
    assert.deepEqual(fields({ classification: 'Personal Data', reason: 'x' }), [
      'classification: must be a classification such as personal-data-breach or serious-incident:death',
    ]);
    assert.deepEqual(fields({ classification: 'personal-data-breach' }), [
      'reason: is required (why the incident is classified so)',
    ]);
    assert.deepEqual(
      fields({ classification: 'serious-incident:death', reason: 'a user died', awareAt: '2026-01-02T03:04:05Z' }),
      [],
    );
  });
});
