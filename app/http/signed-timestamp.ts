/** A signed delivery stamped further than this from now, either way, is refused: a replay, or a clock off. */
export const SIGNATURE_WINDOW_S = 300;

export type SignedTimestamp = { seconds: number } | { problem: string };

/**
 * The Unix-seconds timestamp a sender signs with its body, read from `header`: required, digits only
 * (`Number('')` is 0 and `Number('1e9')` a number, while `NaN` passes every comparison), and within
 * SIGNATURE_WINDOW_S of `nowMs` in the past and in the future.
 */
export function signedTimestamp(header: string, value: string | undefined, nowMs: number): SignedTimestamp {
  if (value === undefined || value === '') return { problem: `Missing ${header}: signed deliveries must carry it` };
  if (!/^\d{1,12}$/.test(value)) return { problem: `${header} must be Unix seconds (digits only)` };
  const seconds = Number(value);
  if (Math.abs(nowMs / 1_000 - seconds) > SIGNATURE_WINDOW_S) {
    return {
      problem: `${header} ${value} is more than ${SIGNATURE_WINDOW_S / 60} minutes from now: a replay, or a clock off`,
    };
  }
  return { seconds };
}

/** Until when a delivery stamped `seconds` could still pass the window check, so until when to remember it. */
export function windowEndMs(seconds: number): number {
  return (seconds + SIGNATURE_WINDOW_S) * 1_000;
}
