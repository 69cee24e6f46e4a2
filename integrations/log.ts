import { pino } from 'pino';
import { redact, redactDeep } from './redaction/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** `json`: one JSON object a line, for collectors. `pretty`: `time LEVEL message key=value`, for a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogOutput {
  /** `pretty` on a terminal (stderr a TTY), `json` otherwise. */
  format?: LogFormat;
  /** Where each line goes (with its trailing newline); stderr, synchronously, by default. */
  write?: (line: string) => void;
}

/** Keys every line has; a caller's field of the same name is renamed so that it cannot overwrite them. */
const RESERVED = new Set(['level', 'time', 'msg']);

/**
 * Logs on stderr through pino, one line a record whatever the message holds: JSON escapes control
 * characters, so a newline in an alert title cannot start a forged line. The message and every string
 * in the fields pass through the redactor first, since they quote what people and tools sent.
 */
export function createLogger(level: LogLevel, output: LogOutput = {}): Logger {
  const format = output.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const write = output.write ?? ((line: string) => void process.stderr.write(line));
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(format === 'pretty' ? pretty(line) : escapeInvisible(line)) },
  );
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (!logger.isLevelEnabled(at)) return;
    logger[at](fields ? safeFields(fields) : {}, redact(message));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function safeFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      RESERVED.has(key) ? `field_${key}` : key,
      redactDeep(value instanceof Error ? (value.stack ?? value.message) : value),
    ]),
  );
}

/** pino's JSON line as `2024-05-01T12:00:00.000Z INFO  message key=value`, control characters escaped. */
function pretty(line: string): string {
  const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? escapeControl(v) : escapeInvisible(JSON.stringify(v))}`)
    .join('');
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${escapeControl(String(msg))}${extra}\n`;
}

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escape = (c: string) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every control character (C0, DEL, C1) and the Unicode line separators, as JSON would write them. */
// eslint-disable-next-line no-control-regex
const escapeControl = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, escape);

/**
 * What JSON leaves as it is but a terminal or a line splitter may act on: DEL, C1 controls (U+009B
 * is a terminal's CSI), U+2028/U+2029. They appear only inside strings, where `\uXXXX` means the same.
 */
const escapeInvisible = (json: string) => json.replace(/[\u007f-\u009f\u2028\u2029]/g, escape);
