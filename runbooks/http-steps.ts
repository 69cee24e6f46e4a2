// Load-time checks of a runbook's http steps, and the copy of its allowed hosts into each request
// (the worker enforces both again when a request is made).
import { isIP } from 'node:net';
import { envReferenceRefusal, envReferences, type EnvAllowRule } from './http-env.js';
import { addressRefusal, hostListed } from './http-targets.js';
import type { Runbook } from './schema.js';

type HttpStep = Extract<Runbook['containment'][number], { kind: 'http' }>;
type HttpRequest = HttpStep['request'];

/** A request as the worker receives it: with the hosts its runbook allows (absent: any public host). */
export type TargetedHttpRequest = HttpRequest & { allowedHosts?: string[] };

function* httpRequests(runbook: Runbook): Generator<[path: string, request: HttpRequest]> {
  for (const [i, step] of runbook.containment.entries()) {
    if (step.kind !== 'http') continue;
    yield [`containment[${i}].request`, step.request];
    if (step.verify?.request) yield [`containment[${i}].verify.request`, step.verify.request];
    if (step.undo) yield [`containment[${i}].undo.request`, step.undo.request];
  }
  for (const [i, source] of runbook.evidence.entries()) yield [`evidence[${i}].request`, source.request];
}

/** `${env:NAME}` the operator does not allow, and literal URLs to hosts the runbook does not allow. */
export function* httpStepProblems(runbook: Runbook, rule: EnvAllowRule): Generator<{ path: string; message: string }> {
  const allowed = runbook.http?.allowedHosts;
  for (const [path, request] of httpRequests(runbook)) {
    const texts: [string, string][] = [
      [`${path}.url`, request.url],
      ...Object.entries(request.headers).map(([name, value]): [string, string] => [`${path}.headers.${name}`, value]),
    ];
    for (const [where, text] of texts)
      for (const name of envReferences(text)) {
        const refusal = envReferenceRefusal(name, rule);
        if (refusal) yield { path: where, message: refusal };
      }
    const host = literalHost(request.url);
    if (host === undefined) continue;
    const address = host.replace(/^\[(.*)\]$/, '$1');
    const refusal =
      allowed && !hostListed(host, allowed)
        ? `host ${host} is not in http.allowedHosts (${allowed.join(', ')})`
        : isIP(address)
          ? addressRefusal(address, allowed ?? [])
          : undefined;
    if (refusal) yield { path: `${path}.url`, message: refusal };
  }
}

/** The host of a URL written out in the runbook; undefined when `${env:…}` supplies it. */
function literalHost(url: string): string | undefined {
  const authority = /^https?:\/\/([^/?#]*)/.exec(url)?.[1];
  if (authority === undefined || authority.includes('${')) return undefined;
  try {
    return new URL(url.replace(/\$\{env:[A-Za-z0-9_]+\}/g, 'x')).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The runbook with `http.allowedHosts` copied into every request of its http steps (and the default
 * read-back, a GET of the step's URL, written out), so that the worker performing a request knows
 * where it may connect.
 */
export function withHttpTargets(runbook: Runbook): Runbook {
  const allowedHosts = runbook.http?.allowedHosts;
  if (!allowedHosts) return runbook;
  const target = (request: HttpRequest): TargetedHttpRequest => ({ ...request, allowedHosts });
  return {
    ...runbook,
    containment: runbook.containment.map((step) =>
      step.kind !== 'http'
        ? step
        : {
            ...step,
            request: target(step.request),
            ...(step.verify
              ? {
                  verify: {
                    ...step.verify,
                    request: target(
                      step.verify.request ?? { method: 'GET', url: step.request.url, headers: step.request.headers },
                    ),
                  },
                }
              : {}),
            ...(step.undo ? { undo: { request: target(step.undo.request) } } : {}),
          },
    ),
    evidence: runbook.evidence.map((source) => ({ ...source, request: { ...source.request, allowedHosts } })),
  };
}
