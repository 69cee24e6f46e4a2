import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { renderAtomFeed } from '../app/status/status-atom.js';
import { publicIncidentOf, statusDocumentOf } from '../app/status/public-view.js';
import { renderStatusPage, STATUS_PAGE_CSP } from '../app/status/status-html.js';
import { publishedQuery } from '../app/incident-query.js';
import { incidentFlagsOf } from '../workflows/read-model.js';
import { publicTitleProblem } from '../workflows/public-listing.js';
import type { IncidentState, StatusUpdate } from '../workflows/types.js';
import { childTexts, parseXmlStrictly } from './support/xml.js';

/** Everything here is internal: none of it may reach the page, the feed or the JSON. */
const INTERNAL = [
  'Jailbreak via base64 prompts',
  'carol-internal',
  'dave-declarer',
  'prompt-injection-tool-misuse',
  'disable-send-email',
  'Rolled back after the red team found it',
  'INTERNAL-ONLY: customer acme is affected',
  'erin-poster',
];

function update(id: string, at: string, visibility: StatusUpdate['visibility'], text: string, impact?: string) {
  return { id, at, by: 'erin-poster', via: 'local', text, visibility, ...(impact ? { impact } : {}) } as StatusUpdate;
}

function incident(overrides: Partial<IncidentState> = {}): IncidentState {
  return {
    id: 'INC-7K3QX',
    title: 'Jailbreak via base64 prompts',
    category: 'jailbreak',
    severity: 'P1',
    description: 'Rolled back after the red team found it',
    status: 'triaging',
    commander: 'carol-internal',
    declaredBy: 'dave-declarer',
    declaredAt: '2026-03-07T10:00:00.000Z',
    runbook: { id: 'prompt-injection-tool-misuse', title: 'Prompt injection', file: 'x.yaml', hash: 'abc' },
    triage: [],
    steps: [
      {
        id: 'disable-send-email',
        kind: 'flag',
        title: 'disable-send-email',
        description: '',
        target: 'flag',
        approvers: ['ic'],
        escalationLevel: 0,
        status: 'pending',
      },
    ],
    notified: [],
    paged: [],
    actions: [],
    updates: [
      update(
        'U1',
        '2026-03-07T10:05:00.000Z',
        'public',
        'We are investigating <script>alert(1)</script> & "odd" answers.',
        'Some chats',
      ),
      update('U2', '2026-03-07T10:10:00.000Z', 'internal', 'INTERNAL-ONLY: customer acme is affected'),
      update('U3', '2026-03-07T10:20:00.000Z', 'public', 'A fix is rolling out.\u0007'),
    ],
    publicListing: {
      title: 'Degraded answers in the assistant',
      since: '2026-03-07T10:02:00.000Z',
      by: 'carol-internal',
    },
    timeline: [{ at: '2026-03-07T10:00:00.000Z', type: 'declared', actor: 'dave-declarer', message: 'Declared' }],
    ...overrides,
  };
}

const absentFrom = (text: string, where: string) => {
  for (const secret of INTERNAL) assert.ok(!text.includes(secret), `${where} shows "${secret}"`);
};

describe('status page: what the public sees', () => {
  it('nothing of an unpublished incident, and only the public parts of a published one', () => {
    assert.equal(publicIncidentOf(incident({ publicListing: undefined })), undefined);
    const doc = statusDocumentOf([incident(), incident({ id: 'INC-AAAAA', publicListing: undefined })]);
    assert.equal(doc.incidents.length, 1);
    const [shown] = doc.incidents;
    assert.deepEqual(shown, {
      id: 'INC-7K3QX',
      title: 'Degraded answers in the assistant',
      state: 'investigating',
      impact: 'Some chats',
      startedAt: '2026-03-07T10:02:00.000Z',
      updatedAt: '2026-03-07T10:20:00.000Z',
      updates: [
        { id: 'U3', at: '2026-03-07T10:20:00.000Z', text: 'A fix is rolling out.\u0007' },
        {
          id: 'U1',
          at: '2026-03-07T10:05:00.000Z',
          text: 'We are investigating <script>alert(1)</script> & "odd" answers.',
          impact: 'Some chats',
        },
      ],
    });
    absentFrom(JSON.stringify(doc), 'the JSON');
  });

  it('mitigated, then resolved with its time; resolved ones after the open ones', () => {
    const mitigated = publicIncidentOf(incident({ mitigatedAt: '2026-03-07T10:30:00.000Z' }))!;
    assert.equal(mitigated.state, 'mitigated');
    const resolved = incident({
      id: 'INC-RRRRR',
      status: 'closed',
      declaredAt: '2026-03-08T10:00:00.000Z',
      publicListing: { title: 'Later, resolved', since: '2026-03-08T10:00:00.000Z', by: 'x' },
      resolvedAt: '2026-03-08T12:00:00.000Z',
    });
    const doc = statusDocumentOf([resolved, incident()]);
    assert.deepEqual(
      doc.incidents.map((i) => [i.id, i.state, i.resolvedAt]),
      [
        ['INC-7K3QX', 'investigating', undefined],
        ['INC-RRRRR', 'resolved', '2026-03-08T12:00:00.000Z'],
      ],
    );
    assert.equal(doc.updatedAt, '2026-03-08T12:00:00.000Z', 'the latest time in the data');
    assert.equal(statusDocumentOf([]).updatedAt, new Date(0).toISOString(), 'never the clock');
  });

  it('the HTML: escaped, phone-sized, no script, its only style allowed by hash', () => {
    const html = renderStatusPage(statusDocumentOf([incident()]));
    absentFrom(html, 'the page');
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.ok(html.includes('Degraded answers in the assistant'));
    assert.ok(
      html.includes('We are investigating &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;odd&quot; answers.'),
    );
    assert.doesNotMatch(html, /<script/i);
    assert.ok(html.includes('id="INC-7K3QX-U1"'), 'each update has the anchor the feed links to');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    assert.ok(STATUS_PAGE_CSP.includes(`style-src 'sha256-${hash}'`), STATUS_PAGE_CSP);
    assert.match(STATUS_PAGE_CSP, /default-src 'none'/);
    assert.doesNotMatch(STATUS_PAGE_CSP, /unsafe|script-src/);
    const title = incident({
      publicListing: { title: '<img src=x onerror=alert(1)>', since: '2026-03-07T10:02:00Z', by: 'x' },
    });
    assert.ok(renderStatusPage(statusDocumentOf([title])).includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  it('the Atom feed: well-formed XML, one entry per public update, stable ids, times from the data', () => {
    const base = 'https://status.example.com';
    const xml = renderAtomFeed(statusDocumentOf([incident()]), base);
    absentFrom(xml, 'the feed');
    const doc = parseXmlStrictly(xml);
    assert.equal(doc.documentElement!.namespaceURI, 'http://www.w3.org/2005/Atom');
    assert.equal(doc.getElementsByTagName('entry').length, 2, 'the two public updates, not the internal one');
    const ids = childTexts(doc, 'entry', 'id');
    assert.deepEqual(ids, [`${base}/status#INC-7K3QX-U3`, `${base}/status#INC-7K3QX-U1`]);
    assert.deepEqual(childTexts(doc, 'feed', 'updated'), ['2026-03-07T10:20:00.000Z']);
    assert.deepEqual(childTexts(doc, 'entry', 'updated'), ['2026-03-07T10:20:00.000Z', '2026-03-07T10:05:00.000Z']);
    assert.ok(childTexts(doc, 'feed', 'id')[0], 'the feed has an id');
    assert.equal(doc.getElementsByTagName('author').length, 1, 'a feed author (RFC 4287 4.1.1)');
    assert.equal(
      childTexts(doc, 'entry', 'content')[0],
      'A fix is rolling out.',
      'a character XML cannot hold is dropped',
    );
    assert.match(
      childTexts(doc, 'entry', 'content')[1]!,
      /<script>alert\(1\)<\/script> & "odd"[\s\S]*Impact: Some chats/,
    );
    assert.equal(renderAtomFeed(statusDocumentOf([incident()]), base), xml, 'the same data, the same feed');

    const later = incident();
    later.updates!.push(update('U4', '2026-03-07T11:00:00.000Z', 'public', 'Resolved.'));
    const next = parseXmlStrictly(renderAtomFeed(statusDocumentOf([later]), base));
    assert.deepEqual(childTexts(next, 'entry', 'id').slice(1), ids, 'earlier entries keep their ids');
  });

  it('a public title: required, at most 200 characters, no control characters', () => {
    assert.equal(publicTitleProblem('Degraded answers'), undefined);
    assert.equal(publicTitleProblem('   '), 'is required');
    assert.equal(publicTitleProblem(undefined), 'is required');
    assert.equal(publicTitleProblem('x'.repeat(201)), 'must be at most 200 characters');
    assert.equal(publicTitleProblem(`  ${'x'.repeat(200)}  `), undefined);
    assert.equal(publicTitleProblem('line\nbreak'), 'may not contain control characters');
    assert.equal(publicTitleProblem('evil\u202Etxt.exe'), 'may not contain control characters');
  });

  it('published incidents are found by their flag, never by querying each', () => {
    assert.ok(incidentFlagsOf(incident()).includes('published'));
    assert.ok(!incidentFlagsOf(incident({ publicListing: undefined })).includes('published'));
    const query = publishedQuery(new Date('2026-03-01T00:00:00Z'));
    assert.match(query, /IncidentFlags = 'published'/);
    assert.match(query, /IncidentResolvedAt IS NULL OR IncidentResolvedAt >= '2026-03-01T00:00:00.000Z'/);
  });
});
