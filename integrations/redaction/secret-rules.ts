import { isAuthorizationCredential, isAwsSecretNearKeyId, looksLikeCredential, looksRandom } from './checks.js';
import type { PatternRule } from './rule.js';

// A token is read from its first character only: `(?<![\w-])` before a prefix keeps `eyJ-eyJ-…` from being
// read again from each `eyJ` in it, which is what made the old JWT rule quadratic.

/** Credentials recognised by their issuer's prefix. */
export const prefixedTokens: PatternRule[] = [
  { name: 'OpenAI / Anthropic key', kind: 'secret', pattern: /(?<![\w-])sk-[\w-]{20,512}/g },
  {
    name: 'Stripe secret, restricted or webhook key',
    kind: 'secret',
    pattern: /(?<![\w-])(?:(?:sk|rk)_(?:live|test)|whsec)_[A-Za-z0-9]{10,256}/g,
  },
  {
    name: 'AWS secret access key next to its key id',
    kind: 'secret',
    // Before the key id rule, which masks what this one looks for.
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    accept: isAwsSecretNearKeyId,
  },
  { name: 'AWS access key id', kind: 'secret', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g },
  {
    name: 'GitHub token',
    kind: 'secret',
    pattern: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_\w{20,255})/g,
  },
  {
    name: 'GitLab token',
    kind: 'secret',
    pattern: /(?<![\w-])gl(?:pat|ptt|dt|rt|cbt|ft|imt|soat|oas)-[\w-]{20,255}(?:\.[\w-]{2,64}){0,3}/g,
  },
  {
    name: 'Slack token',
    kind: 'secret',
    // xoxb, xoxp, xoxa, xoxc (browser), xoxd (cookie, URL-encoded), xoxe refresh tokens (`xoxe.xoxp-`), xapp.
    pattern: /(?<![\w-])(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9%-]{10,512}/g,
  },
  {
    name: 'Slack webhook path',
    kind: 'secret',
    pattern: /(?=[\w/-])(?<=\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)[\w/-]{1,512}/g,
  },
  { name: 'Hugging Face token', kind: 'secret', pattern: /(?<![\w-])hf_[A-Za-z0-9]{30,255}/g },
  { name: 'SendGrid key', kind: 'secret', pattern: /(?<![\w.-])SG\.[\w-]{16,64}\.[\w-]{16,128}/g },
  {
    name: 'LaunchDarkly SDK, mobile or API key',
    kind: 'secret',
    pattern: /(?<![\w-])(?:api|sdk|mob)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/gi,
  },
  { name: 'Google API key', kind: 'secret', pattern: /(?<![\w-])AIza[\w-]{35}/g },
  { name: 'Google OAuth access token', kind: 'secret', pattern: /(?<![\w.-])ya29\.[\w-]{20,2048}/g },
  { name: 'JWT', kind: 'secret', pattern: /(?<![\w-])eyJ[\w-]{5,8192}\.[\w-]{5,16384}\.[\w-]{0,8192}/g },
];

/** Credentials recognised by what they are labelled with. */
export const labelledSecrets: PatternRule[] = [
  // A header's value runs to the end of its line (or an escaped `\n`); in JSON (`"Cookie":"…"`) to the closing
  // quote, keeping escaped quotes (`\"`) inside. An Authorization header keeps its scheme (`Digest [redacted secret]`).
  {
    name: 'Cookie / Set-Cookie header value',
    kind: 'secret',
    pattern: /(?=\S)(?<=\b(?:set-)?cookie[ \t]{0,8}:[ \t]{0,8})(?![ \t]|\[redacted )(?:[^\r\n\\]|\\[^nr]){1,4096}/gi,
  },
  {
    name: 'Cookie / Set-Cookie value in JSON',
    kind: 'secret',
    pattern:
      /(?=\S)(?<=\b(?:set-)?cookie["'][ \t]{0,8}:[ \t]{0,8}["'])(?!\[redacted )(?:[^\r\n"'\\]|\\[^nr]){1,4096}/gi,
  },
  {
    name: 'Authorization header credentials, any scheme',
    kind: 'secret',
    pattern:
      /(?=\S)(?<=\b(?:proxy-)?authorization[ \t]{0,8}:[ \t]{0,8}[A-Za-z][\w-]{0,31}[ \t]{1,8})(?![ \t]|\[redacted )(?:[^\r\n\\]|\\[^nr]){1,2048}/gi,
    accept: isAuthorizationCredential,
  },
  {
    name: 'Authorization credentials in JSON, any scheme',
    kind: 'secret',
    pattern:
      /(?=\S)(?<=\b(?:proxy-)?authorization["'][ \t]{0,8}:[ \t]{0,8}["'][A-Za-z][\w-]{0,31}[ \t]{1,8})(?![ \t]|\[redacted )(?:[^\r\n"'\\]|\\[^nr]){1,2048}/gi,
    accept: isAuthorizationCredential,
  },
  {
    name: 'credential after an authorization scheme',
    kind: 'secret',
    pattern: /(?=\S)(?<=\b(?:bearer|basic|token|digest|apikey|api-key|negotiate)[ \t]{1,8})[\w.~+/-]{1,4096}={0,4}/gi,
    accept: looksLikeCredential,
  },
  {
    name: 'URL userinfo password',
    kind: 'secret',
    pattern: /(?=\S)(?<=\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@]{0,256}:)[^\s/?#@]{1,256}(?=@)/gi,
  },
  {
    name: 'credential-named key=value / key: value',
    kind: 'secret',
    // The key must end in the word (`db_password`, `x-api-key`), so `max_tokens: 4096` stays. The value may be
    // on the next line (`password:\n  hunter2`). A value opened by a quote runs to the closing quote; a bare
    // one to whitespace or a separator.
    pattern:
      /(?=\S)(?<=(?:password|passwd|pwd|secret|secret[_-]?key|token|api[_-]?key|access[_-]?key|private[_-]?key)["']?[ \t]{0,8}[:=](?:[ \t]{0,8}\r?\n)?[ \t]{0,16}["']?)(?!\[redacted |(?:bearer|basic)\s|\$\{env:[A-Za-z_]\w{0,127}\}(?![^\s"'&,;<>]))(?:(?<=")[^"\n]{1,1024}|(?<=')[^'\n]{1,1024}|[^\s"'&,;<>]{1,1024})/gi,
  },
  {
    name: 'high-entropy token',
    kind: 'secret',
    // Last among secrets: what the rules above name is masked as theirs; what is left and looks random goes here.
    pattern: /(?<![\w+/=-])[\w+/=-]{24,4096}(?![\w+/=-])/g,
    accept: looksRandom,
  },
];
