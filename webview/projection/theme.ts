/**
 * Reads the plot colours from VS Code's `--vscode-*` CSS variables (parsed to RGB for the shader);
 * theme changes are watched with common/theme.ts's onThemeChange.
 */
import { luminance, parseCssColor, type Rgb } from './colors';
import type { Palette } from './pointStyle';

/** First variable that parses as a colour, else the fallback. */
function cssColor(style: CSSStyleDeclaration, names: string[], fallback: Rgb): Rgb {
  for (const name of names) {
    const c = parseCssColor(style.getPropertyValue(name));
    if (c) return [c[0], c[1], c[2]];
  }
  return fallback;
}

/** The current palette. */
export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const bodyClass = document.body.classList;
  const background = cssColor(
    style,
    ['--vscode-editor-background', '--vscode-panel-background'],
    bodyClass.contains('vscode-light') ? [255, 255, 255] : [30, 30, 30],
  );
  const isDark = bodyClass.contains('vscode-light')
    ? false
    : bodyClass.contains('vscode-dark')
      ? true
      : luminance(background) < 0.4;
  const foreground = cssColor(
    style,
    ['--vscode-editor-foreground', '--vscode-foreground'],
    isDark ? [204, 204, 204] : [51, 51, 51],
  );
  return {
    background,
    foreground,
    muted: cssColor(
      style,
      ['--vscode-descriptionForeground', '--vscode-disabledForeground'],
      isDark ? [150, 150, 150] : [110, 110, 110],
    ),
    hard: cssColor(style, ['--vscode-charts-red'], isDark ? [241, 76, 76] : [229, 20, 0]),
    semihard: cssColor(style, ['--vscode-charts-orange'], isDark ? [209, 134, 22] : [209, 134, 22]),
    easy: cssColor(style, ['--vscode-descriptionForeground'], isDark ? [150, 150, 150] : [110, 110, 110]),
    focus: cssColor(style, ['--vscode-focusBorder'], isDark ? [0, 127, 212] : [0, 144, 241]),
    positive: cssColor(style, ['--vscode-charts-green'], isDark ? [137, 209, 133] : [56, 138, 52]),
    negative: cssColor(style, ['--vscode-charts-red'], isDark ? [241, 76, 76] : [229, 20, 0]),
    isDark,
  };
}
