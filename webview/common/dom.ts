/**
 * The element builder both webviews use: all DOM is built in script (the CSP forbids inline HTML
 * styles), with no innerHTML (text goes in as text, so sample names cannot inject markup).
 */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * `h('div', { class: 'row', 'data-testid': 'x' }, child, 'text')`. Attributes with `undefined` or
 * `false` are left out; `true` sets an empty attribute. Never sets `style` (CSS lives in
 * media/*.css; dynamic sizes go through `element.style.x`).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Sets a text node's content only when it changed (cheap while the slider drags). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
