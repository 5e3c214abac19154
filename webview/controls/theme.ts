/** The sidebar charts' colours and font, read from VS Code's `--vscode-*` CSS variables (common/theme.ts). */
import { cssVar } from '../common/theme';

export { onThemeChange } from '../common/theme';

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

/** Reads the current theme's colours (call again after a theme change). */
export function readTheme(): ChartTheme {
  const s = getComputedStyle(document.body);
  const dark = !document.body.classList.contains('vscode-light');
  const fg = cssVar(s, ['--vscode-foreground'], dark ? '#cccccc' : '#3b3b3b');
  const family = cssVar(s, ['--vscode-font-family'], 'system-ui, sans-serif');
  return {
    foreground: fg,
    muted: cssVar(s, ['--vscode-descriptionForeground'], fg),
    grid: cssVar(
      s,
      ['--vscode-charts-lines', '--vscode-widget-border', '--vscode-panel-border'],
      dark ? '#444' : '#ddd',
    ),
    bar: cssVar(s, ['--vscode-charts-blue', '--vscode-textLink-foreground'], '#3794ff'),
    warning: cssVar(s, ['--vscode-editorWarning-foreground', '--vscode-charts-yellow'], '#cca700'),
    error: cssVar(s, ['--vscode-errorForeground', '--vscode-editorError-foreground', '--vscode-charts-red'], '#f14c4c'),
    marker: cssVar(s, ['--vscode-focusBorder', '--vscode-foreground'], fg),
    curve: cssVar(s, ['--vscode-charts-purple', '--vscode-charts-blue'], '#b180d7'),
    font: `10px ${family}`,
  };
}
