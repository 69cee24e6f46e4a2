/**
 * The most of one field that is redacted and sent on: whatever the rules cost per character, a huge field
 * cannot cost more than this much of it. The rest is cut and a marker says how much.
 */
export const MAX_REDACTED_CHARS = 64 * 1024;

const TRUNCATED = /\s\[truncated (\d{1,15}) characters\]$/y;
/** How far back from the cap a cut looks for whitespace, so a token straddling the cap is dropped whole. */
const BACKOFF = 1024;

/**
 * The part of `text` to redact and how many characters were cut from it, counting a cut made by an earlier pass
 * (its marker is taken off and counted again, so redacting twice gives the same text).
 */
export function capField(text: string): { head: string; cut: number } {
  let head = text;
  let cut = 0;
  const markerAt = text.lastIndexOf('[truncated ') - 1;
  if (markerAt >= 0) {
    TRUNCATED.lastIndex = markerAt;
    const found = TRUNCATED.exec(text);
    if (found) {
      head = text.slice(0, markerAt);
      cut = Number(found[1]);
    }
  }
  if (head.length <= MAX_REDACTED_CHARS) return { head, cut };
  const at = cutPoint(head);
  return { head: head.slice(0, at), cut: cut + head.length - at };
}

/** The redacted head, itself kept under the cap (markers can be longer than what they mask), and the marker. */
export function withTruncation(redacted: string, cut: number): string {
  let head = redacted;
  let total = cut;
  if (head.length > MAX_REDACTED_CHARS) {
    const at = cutPoint(head);
    total += head.length - at;
    head = head.slice(0, at);
  }
  return total > 0 ? `${head} [truncated ${total} characters]` : head;
}

// At whitespace near the cap if there is some, never inside a `[redacted …]` marker or a surrogate pair.
function cutPoint(text: string): number {
  let at = MAX_REDACTED_CHARS;
  const space = text.slice(at - BACKOFF, at).search(/\s\S*$/);
  if (space >= 0) at = at - BACKOFF + space;
  const open = text.lastIndexOf('[redacted ', at);
  if (open >= 0 && at - open < 32 && text.indexOf(']', open) >= at) at = open;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at--;
  return at;
}
