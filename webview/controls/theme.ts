/**
 * Theme colours for canvas drawing, read from VS Code's `--vscode-*` CSS variables, and a hook
 * that fires when the theme changes (VS Code swaps `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` classes on `<body>` and rewrites the variables in its style attribute).
 */

/** Colours and font used by the charts. */
export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  bar: string;
  warning: string;
  error: string;
  marker: string;
  curve: string;
  font: string;
}

function cssVar(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const n of names) {
    const v = style.getPropertyValue(n).trim();
    if (v) return v;
  }
  return fallback;
}

/** Reads the current theme's colours (call again after a theme change). */
export function readTheme(): ChartTheme {
  const s = getComputedStyle(document.body);
  const dark = !document.body.classList.contains('vscode-light');
  const fg = cssVar(s, ['--vscode-foreground'], dark ? '#cccccc' : '#3b3b3b');
  const family = cssVar(s, ['--vscode-font-family'], 'system-ui, sans-serif');
  return {
    foreground: fg,
    muted: cssVar(s, ['--vscode-descriptionForeground'], fg),
    grid: cssVar(s, ['--vscode-charts-lines', '--vscode-widget-border', '--vscode-panel-border'], dark ? '#444' : '#ddd'),
    bar: cssVar(s, ['--vscode-charts-blue', '--vscode-textLink-foreground'], '#3794ff'),
    warning: cssVar(s, ['--vscode-editorWarning-foreground', '--vscode-charts-yellow'], '#cca700'),
    error: cssVar(s, ['--vscode-errorForeground', '--vscode-editorError-foreground', '--vscode-charts-red'], '#f14c4c'),
    marker: cssVar(s, ['--vscode-focusBorder', '--vscode-foreground'], fg),
    curve: cssVar(s, ['--vscode-charts-purple', '--vscode-charts-blue'], '#b180d7'),
    font: `10px ${family}`,
  };
}

/**
 * Calls `onChange` when the theme changes. VS Code swaps the body's `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` class on a change of kind, but between two themes of the same kind only
 * the variables on `<html style>` and the body's `data-vscode-theme-name` change: watch all of them.
 * Several mutations in one task give one callback. Returns a disposer.
 */
export function onThemeChange(onChange: () => void): () => void {
  const mo = new MutationObserver(() => onChange());
  mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-name'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => mo.disconnect();
}
