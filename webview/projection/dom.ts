/** Tiny DOM builder (no innerHTML: text goes in as text, so sample names cannot inject markup). */

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates `<tag>` with attributes (`class`, `data-*`, `aria-*`, ...) and children (strings become text). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
