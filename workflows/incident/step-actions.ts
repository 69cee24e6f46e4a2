// What each runbook step kind does, as data the workflow hands to activities. Pure.
import type { FlagChange, FlagContext } from '../../integrations/flags/provider.js';
import type { HttpRequestSpec } from '../../integrations/http/request.js';
import type { RunbookStep } from '../../runbooks/schema.js';
import { describeChange } from '../../integrations/flags/expectations.js';

export type StepAction =
  | { type: 'flag'; flagKey: string; change: FlagChange; context?: FlagContext }
  /** Move a registered model's alias: `to` is a version, or `previous`. */
  | { type: 'model'; model: string; alias: string; to: string }
  | {
      type: 'http';
      request: HttpRequestSpec;
      verify?: { request: HttpRequestSpec; expectStatus: number; expectBodyIncludes?: string };
      undo?: HttpRequestSpec;
    };

export function actionFor(step: RunbookStep): StepAction {
  const onFlag = (flagKey: string, change: FlagChange): StepAction => ({
    type: 'flag',
    flagKey,
    change,
    ...(step.kind !== 'http' && step.context ? { context: step.context } : {}),
  });
  switch (step.kind) {
    case 'flag':
      return onFlag(
        step.flag,
        step.action === 'serve'
          ? { kind: 'setValue', value: step.value as never }
          : { kind: step.action === 'off' ? 'turnOff' : 'turnOn' },
      );
    case 'disable-tool':
      return onFlag(step.flag, { kind: 'turnOff' });
    case 'model-rollback':
      return step.model !== undefined
        ? { type: 'model', model: step.model, alias: step.alias, to: step.to }
        : onFlag(step.flag!, { kind: 'setValue', value: step.to });
    case 'rate-limit':
      return onFlag(step.flag, { kind: 'setValue', value: step.value });
    case 'quarantine-index':
      return onFlag(step.flag, { kind: 'setValue', value: step.lastKnownGood });
    case 'http':
      return {
        type: 'http',
        request: step.request,
        ...(step.verify
          ? {
              verify: {
                request: step.verify.request ?? { method: 'GET', url: step.request.url, headers: step.request.headers },
                expectStatus: step.verify.expectStatus,
                ...(step.verify.expectBodyIncludes === undefined
                  ? {}
                  : { expectBodyIncludes: step.verify.expectBodyIncludes }),
              },
            }
          : {}),
        ...(step.undo ? { undo: step.undo.request } : {}),
      };
  }
}

export function describeAction(action: StepAction): string {
  switch (action.type) {
    case 'flag':
      return describeChange(action.flagKey, action.change);
    case 'model':
      return `model ${action.model} "${action.alias}" → ${action.to === 'previous' ? 'the previous version' : `version ${action.to}`}`;
    case 'http':
      return `${action.request.method} ${action.request.url.split('?')[0]}`;
  }
}
