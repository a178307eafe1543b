/**
 * The only way the app builds markup. Text — above all every string that came from the
 * API (device ids, firmware, app names, error messages) — goes in as text nodes; there is
 * no innerHTML anywhere, so a firmware string such as `<script>…` is shown, never run
 * (OWASP XSS Prevention Cheat Sheet, "safe sinks": textContent, setAttribute).
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes (setAttribute); never event handlers as strings. */
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class !== undefined) node.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (/^on/i.test(name)) throw new Error(`el(): attribute ${name} would be an event handler`);
    node.setAttribute(name, value);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener !== undefined) node.addEventListener(type, listener);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Sets text safely; `null` shows an em dash. */
export function setText(node: Element, text: string | number | null): void {
  node.textContent = text === null ? '—' : String(text);
}

/** A link inside the app, keeping `?lang=`. `path` is built by the app, never from input. */
export function appLink(path: string, lang: string, text: string, cls?: string): HTMLAnchorElement {
  const url = new URL(path, window.location.origin);
  url.searchParams.set('lang', lang);
  return el('a', { class: cls, attrs: { href: url.pathname + url.search } }, text);
}

/** A colour chip (styled through the CSSOM, which a strict CSP allows). */
export function swatch(colourHex: string, cls = 'swatch'): HTMLSpanElement {
  const node = el('span', { class: cls });
  node.style.backgroundColor = colourHex;
  return node;
}
