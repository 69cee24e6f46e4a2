import type { ScanRule } from './rule.js';

const BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/**
 * What a key's body is made of when its END line is missing (a truncated alert): base64 words, whitespace, the
 * escapes of a key pasted from JSON or a shell (`\n`, `\/`), and armor headers at a line start (`Proc-Type:`,
 * `Version:`). A base64 word counts only whole (not followed by a letter, digit, `+/=_-`): the text after a cut
 * key (`xoxc-…` on the next line) is not eaten by its first letters, which would hide it from its own rule, and
 * a key cut just before punctuation (`…AAAA: ` in a log line, `…AAAA",` in JSON) is still masked.
 */
const BODY =
  /(?:(?<=\n|\\n)[A-Z][A-Za-z-]{0,31}: [^\n\\]{0,256}|(?:[A-Za-z0-9+/=]|\\\/){1,16384}(?![A-Za-z0-9+/=_-])|\s|\\[nrt]){0,16384}/y;
/** The longest a key runs from BEGIN to END (an 8192-bit RSA key is about 6.5 KB); a farther END is not its own. */
const MAX_BLOCK = 32 * 1024;

/**
 * PEM and PGP private key blocks, from the BEGIN line to the END line, or through the body when the END line is
 * missing or too far. The END lines are searched once, forward: a BEGIN reuses the END found for the one before.
 */
export const privateKeyBlocks: ScanRule = {
  name: 'PEM / PGP private key block',
  kind: 'private key',
  mask(text, marker) {
    let result = '';
    let copied = 0;
    let end: RegExpExecArray | null | undefined; // undefined: not searched yet; null: there is none further on
    BEGIN.lastIndex = 0;
    for (let begin = BEGIN.exec(text); begin; begin = BEGIN.exec(text)) {
      const bodyStart = begin.index + begin[0].length;
      if (end !== null && (end === undefined || end.index < bodyStart)) {
        END.lastIndex = bodyStart;
        end = END.exec(text);
      }
      let stop: number;
      if (end && end.index - bodyStart <= MAX_BLOCK) stop = end.index + end[0].length;
      else {
        BODY.lastIndex = bodyStart;
        stop = bodyStart + (BODY.exec(text)?.[0].length ?? 0);
      }
      result += text.slice(copied, begin.index) + marker;
      copied = stop;
      BEGIN.lastIndex = stop;
    }
    return copied === 0 ? text : result + text.slice(copied);
  },
};
