/**
 * VS Code's theme as both webviews read it: the first of some `--vscode-*` CSS variables that is
 * set, and a hook that fires when the theme changes.
 */

/** The first of `names` set on `style`, else `fallback`. */
export function cssVar(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const n of names) {
    const v = style.getPropertyValue(n).trim();
    if (v) return v;
  }
  return fallback;
}

/**
 * Calls `onChange` when the theme changes. VS Code swaps the body's `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` class on a change of kind, but between two themes of the same kind only
 * the variables on `<html style>` and the body's `data-vscode-theme-name` change: watch all of them.
 * Several mutations in one task give one callback. Returns a disposer.
 */
export function onThemeChange(onChange: () => void): () => void {
  const mo = new MutationObserver(() => onChange());
  mo.observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-name'],
  });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => mo.disconnect();
}
