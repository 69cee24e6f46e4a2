import { condition } from '@temporalio/workflow';

/** True when `fn` became true, false when `ms` passed first; with no `ms`, waits as long as it takes. */
export async function within(fn: () => boolean, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, ms);
}
