import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createPagingActivities } from '../activities/paging.js';
import { PagerDutyPager } from '../integrations/paging/pagerduty.js';
import { startPagerDutyFake, type PagerDutyFake } from './support/pagerduty-fake.js';
import { makeTestCertificate, trustInThisProcess } from './support/test-certificate.js';

const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000001';
const API_TOKEN = 'u+pd-rest-token-secret';
let pd: PagerDutyFake;
let activities: ReturnType<typeof createPagingActivities>;

before(async () => {
  const certificate = await makeTestCertificate();
  trustInThisProcess(certificate);
  pd = await startPagerDutyFake({ routingKey: ROUTING_KEY, apiToken: API_TOKEN, certificate });
  const pager = new PagerDutyPager({
    routingKey: ROUTING_KEY,
    eventsServer: pd.eventsServer,
    apiToken: API_TOKEN,
    apiUrl: pd.apiUrl,
    source: 'incidents.example.com',
    linksFor: (id) => [{ href: `https://incidents.example.com/api/incidents/${id}`, text: `Incident ${id}` }],
  });
  activities = createPagingActivities(pager);
});
after(() => pd?.stop());

const page = {
  incidentId: 'INC-PD001',
  targets: ['safety-oncall'],
  severity: 'P1' as const,
  summary: '[P1] Jailbreak regression (declared)',
};

describe('PagerDuty paging (pdjs, Events API v2 over HTTPS, contract fake)', () => {
  it('triggers with the incident id as dedup key, so a retry or a repeat joins the same alert', async () => {
    const first = await activities.page(page);
    await activities.page({
      ...page,
      targets: ['ml-platform'],
      summary: '[P0] Jailbreak regression (severity P1 → P0)',
    });
    assert.equal(pd.incidentsOpened(), 1, 'one PagerDuty incident for two triggers');
    const [event] = pd.events;
    assert.equal(event!.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(event!.body, {
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'INC-PD001',
      payload: {
        summary: 'INC-PD001 [P1] Jailbreak regression (declared)',
        source: 'incidents.example.com',
        severity: 'critical',
        custom_details: { incident: 'INC-PD001', severity: 'P1', rotations: ['safety-oncall'] },
      },
      links: [{ href: 'https://incidents.example.com/api/incidents/INC-PD001', text: 'Incident INC-PD001' }],
    });
    assert.match(
      first.delivered,
      /^PagerDuty \(dedup key INC-PD001\): incident #1 https:\/\/acme\.pagerduty\.com\/incidents\/Q1, assigned to Dana On-call$/,
    );
    assert.equal(
      pd.apiRequests[0]!.path,
      '/incidents?incident_key=INC-PD001',
      'the REST look-up asks for this alert only',
    );
  });

  it('acknowledges and resolves the same alert', async () => {
    await activities.updatePage({ incidentId: 'INC-PD001', action: 'acknowledge' });
    assert.equal(pd.alerts.get('INC-PD001')!.status, 'acknowledged');
    await activities.updatePage({ incidentId: 'INC-PD001', action: 'resolve' });
    assert.equal(pd.alerts.get('INC-PD001')!.status, 'resolved');
    assert.deepEqual(
      pd.events.slice(-2).map((e) => [e.body.event_action, e.body.dedup_key]),
      [
        ['acknowledge', 'INC-PD001'],
        ['resolve', 'INC-PD001'],
      ],
    );
  });

  it("a refused event fails at once with PagerDuty's reason; the routing key is not in the message", async () => {
    const refusing = createPagingActivities(
      new PagerDutyPager({ routingKey: 'WRONGKEY', eventsServer: pd.eventsServer, source: 's', linksFor: () => [] }),
    );
    await assert.rejects(refusing.page({ ...page, incidentId: 'INC-PD002' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable, 'not retried');
      assert.equal(err.type, 'PageRefused');
      assert.equal(err.message, 'PagerDuty trigger for INC-PD002: 400 Event object is invalid; Invalid routing key');
      return true;
    });
    assert.equal(pd.alerts.has('INC-PD002'), false);
  });

  it("when still rate limited after pdjs's own retries, asks Temporal to retry after Retry-After", async () => {
    const before = pd.events.length;
    pd.failEvents(4, 429, { 'retry-after': '2' });
    await assert.rejects(activities.page({ ...page, incidentId: 'INC-PD003' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && !err.nonRetryable);
      assert.equal(err.type, 'PagingServiceBusy');
      assert.equal(Number(err.nextRetryDelay), 2_000);
      return true;
    });
    assert.equal(pd.events.length - before, 4, 'pdjs tried four times in all');
    await activities.page({ ...page, incidentId: 'INC-PD003' });
    assert.equal(pd.alerts.get('INC-PD003')!.status, 'triggered', 'the retry pages');
  });

  it('a 5xx is left to the retry policy', async () => {
    pd.failEvents(1, 503);
    await assert.rejects(activities.page({ ...page, incidentId: 'INC-PD004' }), (err: unknown) => {
      assert.ok(!(err instanceof ApplicationFailure && err.nonRetryable));
      assert.match((err as Error).message, /PagerDuty trigger for INC-PD004: 503/);
      return true;
    });
  });
});
