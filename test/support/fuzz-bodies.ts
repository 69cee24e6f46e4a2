// Malformed request bodies for the fuzz suite: hostile texts (not JSON, truncated, deeply nested,
// invalid UTF-8, prototype keys, control characters) and random JSON made of the API's own field names
// with values of every wrong type. Seeded, so a failure can be replayed.

/** A small, seeded PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = [
  'title',
  'category',
  'severity',
  'description',
  'commander',
  'declaredBy',
  'actor',
  'runbook',
  'stepId',
  'decision',
  'reason',
  'summary',
  'note',
  'kind',
  'owner',
  'dueAt',
  'user',
  'expires',
  'alerts',
  'labels',
  'annotations',
  'status',
  'groupKey',
  'id',
  'issue',
  'action',
  'webhookEvent',
  'type',
  'payload',
  'memberOf',
  '__proto__',
  'constructor',
];

const STRINGS = [
  '',
  ' ',
  'P9',
  'jailbreak',
  'approve',
  'maybe',
  'INC-00000',
  'A1',
  '2001-01-01',
  'not a date',
  'alice\u200b',
  'a\u0000b',
  'line\nforged INFO line',
  '\u202egnp.exe',
  '😀'.repeat(50),
  'x'.repeat(5_000),
  '<script>alert(1)</script>',
  '${env:API_TOKEN}',
  '../../etc/passwd',
  'sk-live-0123456789abcdefABCDEF',
  '{"nested": "json"}',
];

const HOSTILE_TEXTS: (string | Buffer)[] = [
  '',
  '{',
  '{"title": ',
  '[]',
  'null',
  'true',
  '0',
  '"a string"',
  '[1,2,3]',
  '{"__proto__": {"isAdmin": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '['.repeat(5_000) + ']'.repeat(5_000),
  '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
  '{"n": 1e999999}',
  '{"n": -0, "m": 123456789012345678901234567890}',
  Buffer.from([0xff, 0xfe, 0xfd, 0x7b, 0x7d]),
  Buffer.from('{"title": "\xc3\x28"}', 'latin1'),
  'payload=%7B%22type%22%3A%22view_submission%22%7D',
  'title=x&category=jailbreak&severity=P1',
  '\u0000\u0001\u0002',
];

/** `count` malformed bodies: every hostile text, then random JSON. */
export function* malformedBodies(random: () => number, count: number): Generator<string | Buffer> {
  for (let i = 0; i < count; i++) {
    if (i < HOSTILE_TEXTS.length) yield HOSTILE_TEXTS[i]!;
    else yield JSON.stringify(randomValue(random, 0, true));
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomValue(random: () => number, depth: number, object = false): unknown {
  const roll = object ? 0.9 : random();
  if (depth > 3 || roll < 0.25) return pick(random, STRINGS);
  if (roll < 0.35) return Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1);
  if (roll < 0.42) return random() < 0.5;
  if (roll < 0.47) return null;
  if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const entries = Array.from({ length: 1 + Math.floor(random() * 6) }, () => [
    pick(random, FIELDS),
    randomValue(random, depth + 1),
  ]);
  return Object.fromEntries(entries);
}
