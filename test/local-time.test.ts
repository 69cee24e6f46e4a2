import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localDate, nextLocalTime } from '../runbooks/local-time.js';
import { digestSendAt, digestZone, untilLocalMidnight } from '../workflows/digest-time.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

describe("the next 09:00 in a person's time zone", () => {
  it('is today when 09:00 is still to come there, else tomorrow', () => {
    assert.equal(iso(nextLocalTime(at('2026-06-10T05:00:00Z'), 'Europe/Paris')), '2026-06-10T07:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-06-10T07:00:00Z'), 'Europe/Paris')), '2026-06-11T07:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-06-10T23:30:00Z'), 'Asia/Kolkata')), '2026-06-11T03:30:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-06-10T12:00:00Z'), 'UTC', '12:00')), '2026-06-11T12:00:00.000Z');
  });

  it('follows the clocks across spring-forward and fall-back (Paris, New York, Lord Howe)', () => {
    // Paris: CET (+1) until 2026-03-29 01:00 UTC, then CEST (+2); back on 2026-10-25 01:00 UTC.
    assert.equal(iso(nextLocalTime(at('2026-03-28T09:00:00Z'), 'Europe/Paris')), '2026-03-29T07:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-03-27T09:00:00Z'), 'Europe/Paris')), '2026-03-28T08:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-10-24T08:00:00Z'), 'Europe/Paris')), '2026-10-25T08:00:00.000Z');
    // New York: EST (-5) → EDT (-4) on 2026-03-08 at 07:00 UTC.
    assert.equal(iso(nextLocalTime(at('2026-03-07T15:00:00Z'), 'America/New_York')), '2026-03-08T13:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-11-01T00:00:00Z'), 'America/New_York')), '2026-11-01T14:00:00.000Z');
    // Lord Howe moves by 30 minutes: +11 in summer, +10:30 from 2026-04-05 (02:00 local).
    assert.equal(iso(nextLocalTime(at('2026-04-04T23:00:00Z'), 'Australia/Lord_Howe')), '2026-04-05T22:30:00.000Z');
  });

  it('takes a skipped time as the old offset would have it, and a repeated time at its first occurrence', () => {
    // 02:30 does not exist in Paris on 2026-03-29: the clocks go from 02:00 to 03:00, so 03:30 CEST.
    assert.equal(iso(nextLocalTime(at('2026-03-29T00:00:00Z'), 'Europe/Paris', '02:30')), '2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 2026-10-25: first in CEST (00:30 UTC), and only that one counts.
    assert.equal(iso(nextLocalTime(at('2026-10-24T23:00:00Z'), 'Europe/Paris', '02:30')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-10-25T00:45:00Z'), 'Europe/Paris', '02:30')), '2026-10-26T01:30:00.000Z');
  });

  it('never gives the same day twice in a row over a year of daily digests', () => {
    for (const zone of ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Apia']) {
      let t = at('2026-01-01T00:00:00Z');
      let previousDay = '';
      for (let i = 0; i < 366; i++) {
        t = nextLocalTime(t, zone);
        const day = localDate(t, zone);
        assert.notEqual(day, previousDay, `${zone}: two digests on ${day}`);
        assert.equal(
          new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(t),
          '09:00',
          `${zone}: ${iso(t)} is not 09:00 there`,
        );
        previousDay = day;
      }
    }
  });

  it('refuses an unknown zone or a malformed time', () => {
    assert.throws(() => nextLocalTime(0, 'Mars/Olympus_Mons'), RangeError);
    assert.throws(() => nextLocalTime(0, 'UTC', '9am'), /HH:MM/);
  });
});

describe('digest time (workflows/digest-time.ts)', () => {
  const GATHER = 60_000;
  it('an unknown or missing zone is UTC', () => {
    assert.equal(digestZone('Mars/Olympus_Mons'), 'UTC');
    assert.equal(digestZone(undefined), 'UTC');
    assert.equal(digestZone('Asia/Kolkata'), 'Asia/Kolkata');
  });

  it("reminders queued at 09:00 UTC go out at the next 09:00 of the recipient's clock, after today's if it went", () => {
    const queued = at('2026-11-02T09:00:00Z');
    assert.equal(digestSendAt(queued, 'UTC', false, GATHER), queued + GATHER, 'UTC: once the reminders are in');
    assert.equal(digestSendAt(queued, 'America/New_York', false, GATHER), at('2026-11-02T14:00:00Z'));
    assert.equal(digestSendAt(queued, 'Asia/Kolkata', false, GATHER), at('2026-11-03T03:30:00Z'), 'past 09:00 there');
    assert.equal(digestSendAt(queued + GATHER, 'UTC', true, GATHER), at('2026-11-03T09:00:00Z'), 'sent today');
    assert.equal(untilLocalMidnight(at('2026-11-02T22:30:00Z'), 'Europe/Paris'), 1_800_000);
    assert.equal(untilLocalMidnight(at('2026-11-02T22:00:00Z'), 'Europe/Paris'), 3_600_000);
  });
});
