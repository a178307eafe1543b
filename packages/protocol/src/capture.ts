/**
 * Lines of recorded MQTT traffic, as LASS's tools saved them and `airbox decode` reads them:
 *  - `<topic> <payload>` (the 2015 capture: `LASS/Test/EXAMPLE_APP1 |ver_format=1|…`)
 *  - a bare payload: a LASS line or JSON
 *  - a Python bytes repr of a payload (`b'|app=…\r'`, LASS `lass.raw`)
 */
export interface CaptureLine {
  topic: string | null;
  payload: string;
}

export function parseCaptureLine(line: string): CaptureLine {
  const text = line.replace(/\r?\n$/, '');
  if (startsPayload(text)) return { topic: null, payload: unwrapBytesRepr(text) };
  const space = text.indexOf(' ');
  if (space > 0) {
    return { topic: text.slice(0, space), payload: unwrapBytesRepr(text.slice(space + 1)) };
  }
  return { topic: null, payload: text };
}

function startsPayload(text: string): boolean {
  const c = text.trimStart()[0];
  return c === '|' || c === '{' || c === '[' || text.startsWith("b'");
}

const ESCAPES: Record<string, string> = {
  r: '\r',
  n: '\n',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** `b'…'` → the bytes it stands for (as Latin-1 text, which LASS payloads are within). */
export function unwrapBytesRepr(text: string): string {
  if (!(text.startsWith("b'") && text.endsWith("'")) || text.length < 3) return text;
  return text
    .slice(2, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
      e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? `\\${e}`),
    );
}
