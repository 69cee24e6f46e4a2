#!/usr/bin/env node
// Measures the redactor (issue 18) in numbers:
//   MB/s on 64 KB fields (what one call redacts at most) of adversarial inputs, which made the old rules
//   quadratic, and of ordinary incident text: the median of several passes of one field
//   eyJ- × 250,000: how long one 1 MB alert description blocks the event loop (target < 50 ms), timed around the
//   call and as the event loop's longest delay seen by monitorEventLoopDelay
// The last line is one JSON object. Usage: npm run bench:redact
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAX_REDACTED_CHARS, redact } from '../dist/integrations/redaction/redact.js';

const fill = (unit) => unit.repeat(Math.ceil(MAX_REDACTED_CHARS / unit.length)).slice(0, MAX_REDACTED_CHARS);
const inputs = {
  'eyJ- runs': fill('eyJ-'),
  'PEM BEGIN repeats': fill('-----BEGIN RSA PRIVATE KEY-----\n'),
  'digit runs': fill('4'),
  'grouped digits': fill('4111 '),
  'e-mail-like runs': fill('a@'),
  'dotted e-mail domains': fill(`x@${'a.'.repeat(100)}`),
  whitespace: fill(' \t'),
  'ordinary text': fill(
    'Checkout latency p99 1500 ms since 09:00Z; paged alice@example.com, flag agent-tools.send-email off, see INC-7K3QX. ',
  ),
  'text with findings': fill(
    'token=hunter2 from 10.0.0.12, card 4111 1111 1111 1111, call +44 20 7946 0958, trace 4bf92f3577b34da6a3ce929d0e0e4736\n',
  ),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, text] of Object.entries(inputs)) {
  redact(text); // warm up
  const ms = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    redact(text);
    ms.push(performance.now() - started);
  }
  const mbPerS = text.length / 1e6 / (median(ms) / 1000);
  results[name] = Math.round(mbPerS * 10) / 10;
  console.log(
    `${name.padEnd(24)} ${mbPerS.toFixed(1).padStart(7)} MB/s  (${median(ms).toFixed(2)} ms per 64 KB field)`,
  );
}

const description = 'eyJ-'.repeat(250_000);
const delay = monitorEventLoopDelay({ resolution: 1 });
const ticker = setInterval(() => {}, 1);
delay.enable();
await new Promise((resolve) => setTimeout(resolve, 20));
const started = performance.now();
redact(description);
const blockedMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 20));
delay.disable();
clearInterval(ticker);
const maxDelayMs = delay.max / 1e6;
console.log(
  `eyJ- x 250,000 (1 MB) description: ${blockedMs.toFixed(1)} ms of event loop (longest loop delay ${maxDelayMs.toFixed(1)} ms; target < 50 ms)`,
);
console.log(
  JSON.stringify({
    mb_per_s: results,
    eyj_250k_ms: Math.round(blockedMs * 10) / 10,
    eyj_250k_loop_delay_ms: Math.round(maxDelayMs * 10) / 10,
  }),
);
