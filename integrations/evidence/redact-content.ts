// The redactor works on fields of at most MAX_REDACTED_CHARS; evidence may be up to 1 MiB. It is redacted in
// pieces cut at line ends (or, in a longer line, at whitespace), so a secret within a piece is caught whole.
import { MAX_REDACTED_CHARS, redact } from '../redaction/redact.js';

export function redactContent(text: string): string {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + MAX_REDACTED_CHARS, text.length);
    if (end < text.length) {
      const window = text.slice(start, end);
      const cut = Math.max(window.lastIndexOf('\n'), window.search(/\s\S*$/));
      if (cut > 0) end = start + cut + 1;
    }
    pieces.push(redact(text.slice(start, end)));
    start = end;
  }
  return pieces.join('');
}
