// Pure rules about flag changes, shared by the workflow (verification, undo) and tests.
import type { FlagChange, FlagReading } from './provider.js';

export function describeChange(flagKey: string, change: FlagChange): string {
  switch (change.kind) {
    case 'turnOff':
      return `flag ${flagKey} off`;
    case 'turnOn':
      return `flag ${flagKey} on`;
    case 'setValue':
      return `flag ${flagKey} → ${JSON.stringify(change.value)}`;
  }
}

/** Whether a read-back shows the change in effect; a kill switch whose off variation is `true` is not. */
export function changeTookEffect(change: FlagChange, reading: FlagReading): boolean {
  switch (change.kind) {
    case 'turnOff':
      return !reading.on && reading.value !== true;
    case 'turnOn':
      return reading.on;
    case 'setValue':
      return reading.on && sameJson(reading.value, change.value);
  }
}

/** The change that puts a flag back the way a reading found it. */
export function restoring(change: FlagChange, previous: FlagReading): FlagChange {
  if (change.kind === 'setValue') return { kind: 'setValue', value: previous.value };
  return previous.on ? { kind: 'turnOn' } : { kind: 'turnOff' };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
