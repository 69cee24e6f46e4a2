import { appendFile } from 'node:fs/promises';
import { JsonFile } from '../local-store/json-file.js';
import { JsonLinesLog } from '../local-store/json-lines-log.js';
import type {
  FlagChange,
  FlagChangeRequest,
  FlagChangeResult,
  FlagProvider,
  FlagReading,
  FlagValue,
} from './provider.js';
import { FlagChangeRefused } from './provider.js';

/**
 * Flags in a JSON file in the format of LaunchDarkly's file data source: `flagValues` (key → value)
 * and/or full `flags` objects. Every write goes to a temporary file renamed over the original, so a
 * reader (or a crash) never sees half a file; every change is appended to `<file>.changes.jsonl`.
 */
interface FullFlag {
  key?: string;
  on?: boolean;
  variations?: FlagValue[];
  offVariation?: number;
  fallthrough?: { variation?: number };
  [other: string]: unknown;
}

interface FlagFile {
  flagValues?: Record<string, FlagValue>;
  flags?: Record<string, FullFlag>;
  [other: string]: unknown;
}

interface ChangeRecord extends FlagChangeResult {
  at: string;
  idempotencyKey: string;
  comment: string;
}

/** The flags the runbook library acts on, so that every runbook works in embedded mode and in drills. */
export const exampleFlags: FlagFile = {
  flagValues: {
    'ai-assistant-enabled': true,
    'agent-tools.send-email.enabled': true,
    'agent-tools.web-browse.enabled': true,
    'agent-tools.code-exec.enabled': true,
    'agent-autonomy-level': 'autonomous',
    'assistant-model-version': 'model-2026-11-12',
    'assistant-system-prompt-version': 'prompt-v42',
    'retrieval-index': 'kb-index-2026-11-20',
    'retrieval-index-enabled': true,
    'retrieval-source.customer-tickets.enabled': true,
    'prompt-logging-enabled': true,
    'output-safety-filter-level': 'standard',
    'chat-rate-limit-per-user-per-minute': 60,
    'anonymous-access-enabled': true,
  },
};

export class LocalFileFlagProvider implements FlagProvider {
  private readonly file: JsonFile<FlagFile>;
  private readonly changeLog: JsonLinesLog<ChangeRecord>;

  constructor(readonly path: string) {
    this.file = new JsonFile(path);
    this.changeLog = new JsonLinesLog(this.changeLogPath, (change) => change);
  }

  get changeLogPath(): string {
    return `${this.path}.changes.jsonl`;
  }

  /** Creates the file with example AI kill switches when there is none yet. */
  async ensureExists(): Promise<boolean> {
    return this.file.exclusive(async () => {
      if ((await this.file.read()) !== undefined) return false;
      await this.file.write(exampleFlags);
      return true;
    });
  }

  applyChange(request: FlagChangeRequest): Promise<FlagChangeResult> {
    return this.file.exclusive(async () => {
      const earlier = (await this.changeLog.read()).find((c) => c.idempotencyKey === request.idempotencyKey);
      if (earlier) return { ...pickResult(earlier), changed: false, summary: `${earlier.summary} (already applied)` };

      const file = await this.requireFile();
      const { flagKey, change } = request;
      const previous = { flagKey, ...evaluate(file, flagKey, this.path) };
      const full = file.flags?.[flagKey];
      if (full) applyToFullFlag(full, flagKey, change);
      else file.flagValues![flagKey] = newPlainValue(previous.value, flagKey, change);
      const current = { flagKey, ...evaluate(file, flagKey, this.path) };
      const changed = JSON.stringify(previous) !== JSON.stringify(current);
      const result: FlagChangeResult = {
        flagKey,
        previous,
        current,
        changed,
        summary: changed
          ? `Flag ${flagKey} in ${this.path}: ${show(previous)} → ${show(current)}`
          : `Flag ${flagKey} in ${this.path} already ${show(current)}`,
      };
      if (changed) await this.file.write(file);
      const entry: ChangeRecord = {
        ...result,
        at: new Date().toISOString(),
        idempotencyKey: request.idempotencyKey,
        comment: request.comment,
      };
      await appendFile(this.changeLogPath, JSON.stringify(entry) + '\n');
      return result;
    });
  }

  async readFlag(flagKey: string): Promise<FlagReading> {
    return { flagKey, ...evaluate(await this.requireFile(), flagKey, this.path), observedVia: 'the local flag file' };
  }

  /** The flag's entry in the file: its full `flags` object, or its `flagValues` value. */
  async readConfiguration(flagKey: string): Promise<Record<string, unknown>> {
    const file = await this.requireFile();
    const full = file.flags?.[flagKey];
    if (full) return { key: flagKey, source: this.path, flag: full };
    if (file.flagValues && Object.hasOwn(file.flagValues, flagKey))
      return { key: flagKey, source: this.path, value: file.flagValues[flagKey] };
    throw new FlagChangeRefused(`Flag "${flagKey}" does not exist in ${this.path}`);
  }

  /** Every change this provider made, oldest first. */
  async changes(): Promise<ChangeRecord[]> {
    return [...(await this.changeLog.read())];
  }

  private async requireFile(): Promise<FlagFile> {
    const file = await this.file.read();
    if (!file) throw new Error(`Flag file ${this.path} does not exist`);
    return file;
  }
}

function evaluate(file: FlagFile, flagKey: string, where: string): { on: boolean; value: FlagValue } {
  const full = file.flags?.[flagKey];
  if (full) return { on: full.on !== false, value: servedValue(full) };
  if (file.flagValues && Object.hasOwn(file.flagValues, flagKey)) {
    const value = file.flagValues[flagKey] as FlagValue;
    return { on: value !== false, value };
  }
  throw new FlagChangeRefused(`Flag "${flagKey}" does not exist in ${where}`);
}

function servedValue(flag: FullFlag): FlagValue {
  const index = flag.on === false ? flag.offVariation : flag.fallthrough?.variation;
  return index === undefined ? null : (flag.variations?.[index] ?? null);
}

function applyToFullFlag(flag: FullFlag, flagKey: string, change: FlagChange): void {
  if (change.kind !== 'setValue') {
    flag.on = change.kind === 'turnOn';
    return;
  }
  const index = (flag.variations ?? []).findIndex((v) => JSON.stringify(v) === JSON.stringify(change.value));
  if (index < 0) {
    throw new FlagChangeRefused(
      `Flag "${flagKey}" has no variation ${JSON.stringify(change.value)} (variations: ${JSON.stringify(flag.variations ?? [])})`,
    );
  }
  flag.on = true;
  flag.fallthrough = { variation: index };
}

function newPlainValue(previous: FlagValue, flagKey: string, change: FlagChange): FlagValue {
  if (change.kind === 'setValue') return change.value;
  if (typeof previous !== 'boolean') {
    throw new FlagChangeRefused(
      `Flag "${flagKey}" is not boolean (it is ${JSON.stringify(previous)}); it cannot be turned ${change.kind === 'turnOn' ? 'on' : 'off'}`,
    );
  }
  return change.kind === 'turnOn';
}

function show(reading: FlagReading): string {
  return reading.on ? JSON.stringify(reading.value) : `off (serves ${JSON.stringify(reading.value)})`;
}

function pickResult({ flagKey, previous, current, changed, summary }: FlagChangeResult): FlagChangeResult {
  return { flagKey, previous, current, changed, summary };
}
