/**
 * Markup built only through the `html` tag: every interpolated value is escaped unless it is
 * already markup made by this tag (or marked with `trustedHtml`). Strings on our pages — site
 * names, file names, device ids, error messages — come from files and devices anyone can
 * write, so escaping is the default and cannot be forgotten.
 */

/** Markup that is safe to insert as it is. Made by `html` and `trustedHtml` only. */
class SafeHtml {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }
}
export type { SafeHtml };

/** What may be interpolated: text (escaped), markup (as it is), nothing, or a list of these. */
export type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text safe in element content and in quoted attribute values, HTML and SVG (OWASP XSS
 * Prevention Cheat Sheet, rules 1 and 2: escape & < > " ').
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The tag: html`<td>${name}</td>` escapes `name`; a SafeHtml value (another html`…`) goes in
 * as it is; an array is its items in order with no separator; null and undefined are nothing.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * Our own constant markup (a style sheet) as SafeHtml, inserted as it is: a <style> element
 * decodes no entities, so escaping would break it. Never pass input to it.
 */
export function trustedHtml(text: string): SafeHtml {
  return new SafeHtml(text);
}
