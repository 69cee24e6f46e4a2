import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadServerConfig, roleArgument } from '../app/config.js';

describe('server configuration', () => {
  it('has defaults that run with no environment at all', () => {
    const config = loadServerConfig({});
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.PORT, 3000);
    assert.equal(config.embeddedTemporal, true);
    assert.match(config.flagsFile, /\.data\/flags\.json$/);
    assert.equal(config.API_TOKEN, undefined);
  });

  it('refuses to listen off loopback without an identity source, naming what to set', () => {
    assert.throws(
      () => loadServerConfig({ HOST: '0.0.0.0', API_TOKEN: 'a-shared-token-0123456789' }),
      /HOST=0\.0\.0\.0: off loopback, who acts must be proven\. Set an identity source: OIDC_ISSUER .*PERSONAL_TOKENS=on .*AUTH_USER_HEADER with AUTH_PROXY_SECRET or AUTH_PROXY_PEERS/,
      'a shared API token proves no person',
    );
    assert.equal(loadServerConfig({ HOST: '0.0.0.0', PERSONAL_TOKENS: 'on' }).HOST, '0.0.0.0');
    assert.equal(
      loadServerConfig({ HOST: '10.0.0.5', AUTH_USER_HEADER: 'X-Forwarded-User', AUTH_PROXY_PEERS: '10.0.0.2' })
        .AUTH_PROXY_PEERS?.[0],
      '10.0.0.2',
    );
    assert.throws(
      () => loadServerConfig({ AUTH_USER_HEADER: 'X-Forwarded-User' }),
      /AUTH_USER_HEADER: trusted only with proof that the proxy set it/,
    );
    assert.throws(
      () => loadServerConfig({ AUTH_USER_HEADER: 'X-Forwarded-User', AUTH_PROXY_PEERS: 'proxy.internal' }),
      /AUTH_PROXY_PEERS=.*must be IP addresses/,
    );
  });

  it('names every bad variable and what it accepts', () => {
    const err = (() => {
      try {
        loadServerConfig({ PORT: 'abc', TEMPORAL_UI: 'maybe', API_TOKEN: 'short' });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 3);
    assert.match(err.message, /PORT="abc": must be a port number \(1-65535\)/);
    assert.match(err.message, /TEMPORAL_UI="maybe": must be "on" or "off"/);
    assert.match(err.message, /API_TOKEN=\(value hidden\): must be at least 16 characters/);
    assert.doesNotMatch(err.message, /short/, 'a secret, even an invalid one, is never printed');
  });

  it('refuses webhook signing secrets shorter than 16 characters, naming each variable and never its value', () => {
    const short = {
      GITHUB_WEBHOOK_SECRET: 'gh-guessable',
      JIRA_WEBHOOK_SECRET: 'jira-guessable',
      ALERT_GRAFANA_HMAC_SECRET: 'grafana-guess',
    };
    const err = (() => {
      try {
        loadServerConfig(short);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 3);
    for (const [name, value] of Object.entries(short)) {
      assert.match(err.message, new RegExp(`${name}=\\(value hidden\\): must be at least 16 characters`));
      assert.ok(!err.message.includes(value), `${name}'s value is not printed`);
    }
    const config = loadServerConfig({ ALERT_GRAFANA_HMAC_SECRET: 'grafana-0123456789' });
    assert.equal(config.ALERT_GRAFANA_HMAC_SECRET, 'grafana-0123456789');
  });

  it('takes the rate of new alert groups past which a source floods, 60 by default, and names a bad one', () => {
    assert.equal(loadServerConfig({}).ALERT_NEW_GROUPS_PER_MINUTE, 60);
    assert.equal(loadServerConfig({ ALERT_NEW_GROUPS_PER_MINUTE: '500' }).ALERT_NEW_GROUPS_PER_MINUTE, 500);
    assert.throws(
      () => loadServerConfig({ ALERT_NEW_GROUPS_PER_MINUTE: '0' }),
      /ALERT_NEW_GROUPS_PER_MINUTE="0": must be at least 1/,
    );
    assert.throws(
      () => loadServerConfig({ ALERT_NEW_GROUPS_PER_MINUTE: 'lots' }),
      /ALERT_NEW_GROUPS_PER_MINUTE="lots": must be a whole number of alert groups a minute/,
    );
  });

  it('turns Slack on with a bot token and a way to receive (signing secret or app token), and hides the tokens', () => {
    assert.equal(loadServerConfig({}).SLACK_BOT_TOKEN, undefined, 'off by default');
    assert.throws(
      () => loadServerConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' }),
      /SLACK_SIGNING_SECRET or SLACK_APP_TOKEN/,
    );
    assert.throws(
      () => loadServerConfig({ SLACK_SIGNING_SECRET: 'signing-secret-0123456789' }),
      /SLACK_BOT_TOKEN: required/,
    );
    assert.throws(
      () => loadServerConfig({ SLACK_BOT_TOKEN: 'xapp-wrong-kind', SLACK_SIGNING_SECRET: 'signing-secret-0123456789' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /SLACK_BOT_TOKEN=\(value hidden\): must be a bot token \(xoxb-…\)/);
        assert.doesNotMatch(err.message, /xapp-wrong-kind/);
        return true;
      },
    );
    const socketMode = loadServerConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-abc' });
    assert.equal(socketMode.SLACK_APP_TOKEN, 'xapp-1-abc');
  });

  it('accepts RUNBOOK_ENV_ALLOW as names and PREFIX* patterns only', () => {
    assert.equal(
      loadServerConfig({ RUNBOOK_ENV_ALLOW: 'GUARDRAIL_TOKEN, RUNBOOK_SECRET_*' }).RUNBOOK_ENV_ALLOW,
      'GUARDRAIL_TOKEN, RUNBOOK_SECRET_*',
    );
    assert.throws(
      () => loadServerConfig({ RUNBOOK_ENV_ALLOW: '*' }),
      /RUNBOOK_ENV_ALLOW="\*": must be variable names or PREFIX\* patterns/,
      'allowing every variable is not one of the choices',
    );
    assert.throws(() => loadServerConfig({ RUNBOOK_ENV_ALLOW: 'guardrail-token' }), /RUNBOOK_ENV_ALLOW=/);
  });

  it('refuses out-of-range ports and treats empty values as unset', () => {
    assert.throws(() => loadServerConfig({ PORT: '70000' }), /PORT="70000"/);
    const config = loadServerConfig({ TEMPORAL_ADDRESS: '', API_TOKEN: '' });
    assert.equal(config.embeddedTemporal, true);
    assert.equal(config.API_TOKEN, undefined);
  });

  it('changes flags in LaunchDarkly only with its token, project and environment all set', () => {
    assert.throws(
      () => loadServerConfig({ LAUNCHDARKLY_API_TOKEN: 'api-secret', LAUNCHDARKLY_PROJECT_KEY: 'assistant' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /set all three/);
        assert.doesNotMatch(err.message, /api-secret/);
        return true;
      },
    );
    const config = loadServerConfig({
      LAUNCHDARKLY_API_TOKEN: 'api-secret',
      LAUNCHDARKLY_PROJECT_KEY: 'assistant',
      LAUNCHDARKLY_ENVIRONMENT_KEY: 'production',
    });
    assert.equal(config.LAUNCHDARKLY_ENVIRONMENT_KEY, 'production');
  });

  it('verifies with the LaunchDarkly SDK only alongside the REST token; pages through PagerDuty only with a routing key', () => {
    const ld = {
      LAUNCHDARKLY_API_TOKEN: 'api-secret',
      LAUNCHDARKLY_PROJECT_KEY: 'assistant',
      LAUNCHDARKLY_ENVIRONMENT_KEY: 'production',
    };
    assert.throws(
      () => loadServerConfig({ LAUNCHDARKLY_SDK_KEY: 'sdk-secret-1' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /LAUNCHDARKLY_SDK_KEY: verifies changes made through LAUNCHDARKLY_API_TOKEN/);
        assert.doesNotMatch(err.message, /sdk-secret-1/);
        return true;
      },
    );
    assert.throws(
      () => loadServerConfig({ ...ld, LAUNCHDARKLY_STREAM_URI: 'stream.local' }),
      /LAUNCHDARKLY_STREAM_URI="stream.local": must be an http\(s\) URL/,
    );
    assert.equal(loadServerConfig({ ...ld, LAUNCHDARKLY_SDK_KEY: 'sdk-1' }).LAUNCHDARKLY_SDK_KEY, 'sdk-1');

    assert.throws(
      () => loadServerConfig({ PAGERDUTY_API_TOKEN: 'pd-secret-token' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.message,
          /PAGERDUTY_ROUTING_KEY: required once PAGERDUTY_API_TOKEN or PAGERDUTY_EVENTS_SERVER is set/,
        );
        assert.doesNotMatch(err.message, /pd-secret-token/);
        return true;
      },
    );
    assert.throws(
      () => loadServerConfig({ PAGERDUTY_ROUTING_KEY: 'R1', PAGERDUTY_EVENTS_SERVER: 'https://events.pagerduty.com' }),
      /PAGERDUTY_EVENTS_SERVER="https:\/\/events.pagerduty.com": must be a host name with an optional port/,
    );
    assert.equal(
      loadServerConfig({ PAGERDUTY_ROUTING_KEY: 'R1', PAGERDUTY_EVENTS_SERVER: '127.0.0.1:8443' })
        .PAGERDUTY_EVENTS_SERVER,
      '127.0.0.1:8443',
    );
  });

  it('takes GitHub as the ticket tracker only with both a token and an owner/name repository', () => {
    assert.throws(
      () => loadServerConfig({ GITHUB_TOKEN: 'ghp_secret_value_123' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /GITHUB_TOKEN and GITHUB_REPOSITORY: set both/);
        assert.doesNotMatch(err.message, /ghp_secret/);
        return true;
      },
    );
    assert.throws(
      () => loadServerConfig({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'just-a-name' }),
      /GITHUB_REPOSITORY="just-a-name": must be owner\/name/,
    );
    assert.throws(
      () => loadServerConfig({ JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_API_TOKEN: 'x' }),
      /set all four/,
    );
    const jira = {
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'bot@acme.test',
      JIRA_API_TOKEN: 'x',
      JIRA_PROJECT_KEY: 'AI',
    };
    assert.equal(loadServerConfig(jira).JIRA_PROJECT_KEY, 'AI');
    assert.throws(
      () => loadServerConfig({ ...jira, GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/assistant' }),
      /GitHub or Jira, not both/,
    );
    const config = loadServerConfig({
      GITHUB_TOKEN: 't',
      GITHUB_REPOSITORY: 'acme/assistant',
      GITHUB_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
    });
    assert.deepEqual(
      [config.GITHUB_REPOSITORY, config.GITHUB_WEBHOOK_SECRET],
      ['acme/assistant', 'whsec-0123456789abcdef'],
    );
  });

  it('switches to an existing cluster when TEMPORAL_ADDRESS is set', () => {
    const config = loadServerConfig({ TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', PORT: '8080' });
    assert.equal(config.embeddedTemporal, false);
    assert.equal(config.PORT, 8080);
  });

  it('runs the API or the worker alone only against TEMPORAL_ADDRESS; --role names which', () => {
    assert.equal(loadServerConfig({}).ROLE, 'all');
    assert.equal(loadServerConfig({ ROLE: 'worker', TEMPORAL_ADDRESS: 'temporal:7233' }).ROLE, 'worker');
    assert.throws(() => loadServerConfig({ ROLE: 'api' }), /ROLE=api: .*set TEMPORAL_ADDRESS/);
    assert.throws(
      () => loadServerConfig({ ROLE: 'both', TEMPORAL_ADDRESS: 'x:7233' }),
      /ROLE.*must be all, api or worker/,
    );
    assert.equal(roleArgument(['--role', 'worker']), 'worker');
    assert.equal(roleArgument(['--role=api']), 'api');
    assert.equal(roleArgument([]), undefined);
    assert.throws(() => roleArgument(['--role']), /--role: name one of all, api or worker/);
    assert.throws(() => roleArgument(['--role', '--other']), ConfigError);
  });
});
