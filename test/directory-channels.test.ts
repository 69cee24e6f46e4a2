// A hostile or mistaken directory.yaml: every problem names its field; no secret is echoed back.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRunbookLibrary } from '../runbooks/library.js';
import { tempDir } from './support/paths.js';

const TEAMS_URL =
  'https://prod-11.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=S3cr3tSigZq3v9LrT2xKp7';

async function problemsOf(directoryYaml: string, env: Record<string, string> = {}) {
  const dir = await tempDir('directory');
  await writeFile(join(dir, 'directory.yaml'), directoryYaml);
  await writeFile(join(dir, 'groups.yaml'), 'groups:\n  exec-staff: [maria]\n');
  return (await loadRunbookLibrary(dir, env)).problems.map((p) => `${p.path}: ${p.message}`);
}

const group = (channel: string) => `groups:\n  exec-staff:\n    channels:\n      - ${channel}\n`;

describe('directory channels: validation', () => {
  it('an unknown channel kind names the field and the kinds there are', async () => {
    assert.deepEqual(await problemsOf(group('{ kind: pigeon, to: [maria@example.com] }')), [
      'groups.exec-staff.channels[0].kind: kind must be one of slack, email, teams, webhook',
    ]);
  });

  it('a Teams URL written in the file is refused without echoing it', async () => {
    const problems = await problemsOf(group(`{ kind: teams, url: "${TEAMS_URL}" }`));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^groups\.exec-staff\.channels\[0\]\.url: a Teams webhook URL is a credential/);
    assert.ok(!problems[0]!.includes('S3cr3tSig'));
  });

  it('an environment variable that is missing or holds the wrong thing names the field and the variable only', async () => {
    assert.deepEqual(await problemsOf(group('{ kind: teams, urlFrom: env:TEAMS_EXEC_WEBHOOK }')), [
      'groups.exec-staff.channels[0].urlFrom: environment variable TEAMS_EXEC_WEBHOOK is not set',
    ]);
    const problems = await problemsOf(
      group('{ kind: webhook, url: "https://hooks.example.com/in", secretFrom: env:HOOK_SECRET }'),
      { HOOK_SECRET: 'not base64 at all!' },
    );
    assert.deepEqual(problems, [
      'groups.exec-staff.channels[0].secretFrom: HOOK_SECRET does not hold a Standard Webhooks secret (whsec_ followed by base64)',
    ]);
    assert.deepEqual(
      await problemsOf(group('{ kind: teams, urlFrom: env:TEAMS_EXEC_WEBHOOK }'), { TEAMS_EXEC_WEBHOOK: 'S3cr3tSig' }),
      ['groups.exec-staff.channels[0].urlFrom: TEAMS_EXEC_WEBHOOK does not hold an http(s) URL'],
    );
    assert.deepEqual(
      await problemsOf(group('{ kind: teams, urlFrom: env:TEAMS_EXEC_WEBHOOK }'), { TEAMS_EXEC_WEBHOOK: TEAMS_URL }),
      [],
    );
  });

  it('channels to members need the group in groups.yaml; Slack needs ids, not names', async () => {
    const problems = await problemsOf(
      'groups:\n  legal:\n    channels:\n      - { kind: email }\n  exec-staff:\n    channels:\n      - { kind: slack, channel: "#execs" }\n',
    );
    assert.deepEqual(problems, [
      'groups.exec-staff.channels[0].channel: must be a Slack channel id such as C0123ABCD (not a #name, which can be renamed)',
    ]);
    assert.deepEqual(await problemsOf('groups:\n  legal:\n    channels:\n      - { kind: email }\n'), [
      'groups.legal.channels[0]: sends to the group\'s members, but groups.yaml has no group "legal" (add its members there, or name the addresses with `to`)',
    ]);
  });

  it("a person's preferred channel must be one they have", async () => {
    assert.deepEqual(await problemsOf('people:\n  - { id: maria, email: maria@example.com, prefers: slack }\n'), [
      'people[0].prefers: prefers slack but has no Slack user id (slack)',
    ]);
  });
});
