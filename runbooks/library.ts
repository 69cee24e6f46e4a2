import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Category } from './vocabulary.js';
import { policySchema, POLICY_FILE } from './policy.js';
import { DIRECTORY_FILE, directorySchema, EMPTY_DIRECTORY, type Directory } from './directory.js';
import { directoryProblems } from './directory-problems.js';
import { effectivePolicy, type Policy } from './roles.js';
import { envAllowRule } from './http-env.js';
import { httpStepProblems, withHttpTargets } from './http-steps.js';
import {
  approverGroupsSchema,
  runbookSchema,
  type ApproverGroups,
  type SlackUsergroupIds,
  type LabelMatcher,
  type Runbook,
} from './schema.js';

export const GROUPS_FILE = 'groups.yaml';

export interface RunbookProblem {
  file: string;
  path: string;
  message: string;
}

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** sha256 of the file's bytes: which version an incident ran. */
  hash: string;
  /** The file's text, whose sha256 `hash` is: what an audit export shows of the runbook. */
  source: string;
}

export interface RunbookLibrary {
  dir: string;
  runbooks: LoadedRunbook[];
  groups: ApproverGroups;
  /** groups.yaml `slack:`: the Slack user group (id) whose members belong to each approver group. */
  slackUsergroups: SlackUsergroupIds;
  /** policy.yaml: who may do what, product-wide (each runbook may differ: see `effectivePolicy`). */
  policy: Policy;
  /** directory.yaml: each person's ids in every entry point, and the stakeholder groups' channels. */
  directory: Directory;
  problems: RunbookProblem[];
}

/**
 * Reads every runbook in a directory and reports every problem with its file and path. `env` decides
 * which `${env:NAME}` http steps may use (RUNBOOK_ENV_ALLOW).
 */
export async function loadRunbookLibrary(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<RunbookLibrary> {
  const problems: RunbookProblem[] = [];
  const envRule = envAllowRule(env);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    return {
      dir,
      runbooks: [],
      groups: {},
      slackUsergroups: {},
      policy: policySchema.parse({}),
      directory: EMPTY_DIRECTORY,
      problems: [{ file: dir, path: '', message: `cannot read the runbook directory: ${(err as Error).message}` }],
    };
  }

  let groups: ApproverGroups = {};
  let slackUsergroups: SlackUsergroupIds = {};
  if (names.includes(GROUPS_FILE)) {
    const parsed = await parseFile(join(dir, GROUPS_FILE), approverGroupsSchema, problems);
    if (parsed) ({ groups, slack: slackUsergroups } = parsed.value);
  }

  let directory: Directory = EMPTY_DIRECTORY;
  if (names.includes(DIRECTORY_FILE)) {
    const file = join(dir, DIRECTORY_FILE);
    const parsed = await parseFile(file, directorySchema, problems);
    if (parsed) {
      directory = parsed.value;
      for (const { path, message } of directoryProblems(directory, groups, env)) problems.push({ file, path, message });
    }
  }

  let policy: Policy = policySchema.parse({});
  const unknownGroups = (file: string, refs: Iterable<[string, string]>) => {
    for (const [path, ref] of refs) {
      const group = /^group:(.+)$/.exec(ref)?.[1];
      if (group && !groups[group] && !slackUsergroups[group]) {
        const known = [...new Set([...Object.keys(groups), ...Object.keys(slackUsergroups)])];
        problems.push({
          file,
          path,
          message: `unknown ${path.includes('policy') || file.endsWith(POLICY_FILE) ? '' : 'approver '}group "${group}" (groups are defined in ${GROUPS_FILE}: ${known.join(', ') || 'none'})`,
        });
      }
    }
  };
  if (names.includes(POLICY_FILE)) {
    const file = join(dir, POLICY_FILE);
    const parsed = await parseFile(file, policySchema, problems);
    if (parsed) {
      policy = parsed.value;
      unknownGroups(file, policyRefs(policy));
    }
  }

  const runbooks: LoadedRunbook[] = [];
  for (const name of names.filter((n) => ![GROUPS_FILE, POLICY_FILE, DIRECTORY_FILE].includes(n))) {
    const file = join(dir, name);
    const parsed = await parseFile(file, runbookSchema, problems);
    if (!parsed) continue;
    const runbook = withHttpTargets(parsed.value);
    const before = problems.length;
    for (const { path, message } of httpStepProblems(parsed.value, envRule)) problems.push({ file, path, message });
    unknownGroups(file, approverRefs(runbook));
    unknownGroups(file, policyRefs(runbook.policy, 'policy'));
    const twin = runbooks.find((r) => r.runbook.id === runbook.id);
    if (twin)
      problems.push({ file, path: 'id', message: `runbook id "${runbook.id}" is also used by ${basename(twin.file)}` });
    if (problems.length === before) runbooks.push({ runbook, file, hash: parsed.hash, source: parsed.text });
  }

  const fallbacks = runbooks.filter((r) => r.runbook.fallback);
  if (runbooks.length > 0 && fallbacks.length !== 1) {
    problems.push({
      file: dir,
      path: 'fallback',
      message: fallbacks.length
        ? `only one runbook may be the fallback (${fallbacks.map((r) => basename(r.file)).join(', ')})`
        : 'no runbook has fallback: true',
    });
  }
  return { dir, runbooks, groups, slackUsergroups, policy, directory, problems };
}

/** The policy an incident of this runbook runs under: policy.yaml, with the runbook's differences. */
export function policyFor(library: RunbookLibrary, runbook: Runbook): Policy {
  return effectivePolicy(library.policy, runbook.policy);
}

export interface RunbookQuery {
  runbookId?: string;
  category?: Category;
  labels?: Record<string, string>;
}

/** An explicit id, else the first runbook matching the alert labels or the category, else the fallback. */
export function selectRunbook(library: RunbookLibrary, query: RunbookQuery): LoadedRunbook {
  if (query.runbookId) {
    const chosen = library.runbooks.find((r) => r.runbook.id === query.runbookId);
    if (!chosen)
      throw new UnknownRunbookError(
        query.runbookId,
        library.runbooks.map((r) => r.runbook.id),
      );
    return chosen;
  }
  const labels = query.labels;
  const byAlert =
    labels && library.runbooks.find((r) => r.runbook.match.alerts.some((matchers) => matchesAll(matchers, labels)));
  const byCategory =
    query.category && library.runbooks.find((r) => r.runbook.match.categories.includes(query.category!));
  const fallback = library.runbooks.find((r) => r.runbook.fallback);
  const chosen = byAlert || byCategory || fallback;
  if (!chosen) throw new Error(`No runbook matches and there is no fallback runbook in ${library.dir}`);
  return chosen;
}

export class UnknownRunbookError extends Error {
  constructor(id: string, known: string[]) {
    super(`No runbook "${id}" (known: ${known.join(', ')})`);
    this.name = 'UnknownRunbookError';
  }
}

export function matchesAll(matchers: LabelMatcher[], labels: Record<string, string>): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = labels[label] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(actual);
      case '!~':
        return !new RegExp(`^(?:${value})$`).test(actual);
    }
  });
}

function* approverRefs(runbook: Runbook): Generator<[string, string]> {
  for (const [i, ref] of runbook.responders.entries()) yield [`responders[${i}]`, ref];
  for (const [o, obligation] of runbook.obligations.entries()) {
    yield [`obligations[${o}].responsible`, obligation.responsible];
    for (const [i, ref] of obligation.escalateTo.entries()) yield [`obligations[${o}].escalateTo[${i}]`, ref];
  }
  for (const [s, step] of runbook.containment.entries()) {
    for (const [i, ref] of step.approval.approvers.entries()) yield [`containment[${s}].approval.approvers[${i}]`, ref];
    for (const [l, level] of step.approval.escalation.entries()) {
      for (const [i, ref] of level.entries()) yield [`containment[${s}].approval.escalation[${l}][${i}]`, ref];
    }
  }
}

function* policyRefs(policy: Partial<Policy>, prefix = ''): Generator<[string, string]> {
  for (const [permission, refs] of Object.entries(policy)) {
    if (Array.isArray(refs))
      for (const [i, ref] of refs.entries()) yield [`${prefix ? `${prefix}.` : ''}${permission}[${i}]`, ref];
    else
      for (const [sev, list] of Object.entries(refs ?? {}))
        for (const [i, ref] of (list ?? []).entries())
          yield [`${prefix ? `${prefix}.` : ''}${permission}.${sev}[${i}]`, ref];
  }
}

async function parseFile<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: RunbookProblem[],
): Promise<{ value: z.output<S>; hash: string; text: string } | undefined> {
  const text = await readFile(file, 'utf8');
  const document = parseDocument(text);
  if (document.errors.length) {
    for (const error of document.errors) {
      const at = error.linePos?.[0];
      problems.push({
        file,
        path: at ? `line ${at.line}, column ${at.col}` : '',
        message: error.message.split(' at line ')[0]!,
      });
    }
    return undefined;
  }
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push({ file, path: formatPath(issue.path), message: issue.message });
    return undefined;
  }
  return { value: result.data, hash: createHash('sha256').update(text).digest('hex'), text };
}

function formatPath(path: PropertyKey[]): string {
  return (
    path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('') ||
    '(root)'
  );
}
