// Fake VS Code webview environment for the projection harness: acquireVsCodeApi that records
// posted messages, VS Code-like --vscode-* theme variables, CSP violation capture, and a helper
// that turns plain arrays into the typed arrays the real host sends.
(function () {
  const THEMES = {
    dark: {
      'editor-background': '#1e1e1e',
      'editor-foreground': '#d4d4d4',
      foreground: '#cccccc',
      descriptionForeground: '#9d9d9d',
      focusBorder: '#007fd4',
      'charts-red': '#f14c4c',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-blue': '#3794ff',
      'editorWidget-background': '#252526',
      'editorWidget-foreground': '#cccccc',
      'widget-border': '#454545',
      'widget-shadow': 'rgba(0, 0, 0, 0.36)',
      'editorHoverWidget-background': '#252526',
      'editorHoverWidget-foreground': '#cccccc',
      'editorHoverWidget-border': '#454545',
      'dropdown-background': '#3c3c3c',
      'dropdown-foreground': '#f0f0f0',
      'dropdown-border': '#3c3c3c',
      'list-hoverBackground': '#2a2d2e',
      'list-activeSelectionBackground': '#04395e',
      'list-activeSelectionForeground': '#ffffff',
      'sideBar-background': '#252526',
      'panel-border': '#80808059',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'font-family': 'system-ui, sans-serif',
      'font-size': '13px',
    },
    light: {
      'editor-background': '#ffffff',
      'editor-foreground': '#000000',
      foreground: '#616161',
      descriptionForeground: '#717171',
      focusBorder: '#0090f1',
      'charts-red': '#e51400',
      'charts-orange': '#d18616',
      'charts-green': '#388a34',
      'charts-blue': '#1a85ff',
      'editorWidget-background': '#f3f3f3',
      'editorWidget-foreground': '#616161',
      'widget-border': '#d4d4d4',
      'widget-shadow': 'rgba(0, 0, 0, 0.16)',
      'editorHoverWidget-background': '#f3f3f3',
      'editorHoverWidget-foreground': '#616161',
      'editorHoverWidget-border': '#c8c8c8',
      'dropdown-background': '#ffffff',
      'dropdown-foreground': '#616161',
      'dropdown-border': '#cecece',
      'list-hoverBackground': '#e8e8e8',
      'list-activeSelectionBackground': '#0060c0',
      'list-activeSelectionForeground': '#ffffff',
      'sideBar-background': '#f3f3f3',
      'panel-border': '#80808059',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'font-family': 'system-ui, sans-serif',
      'font-size': '13px',
    },
  };
  const posted = [];
  const violations = [];
  let state = JSON.parse(sessionStorage.getItem('fakeState') || 'null') ?? undefined;
  document.addEventListener('securitypolicyviolation', (e) =>
    violations.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => posted.push(m),
    getState: () => state,
    setState: (s) => {
      state = s;
      sessionStorage.setItem('fakeState', JSON.stringify(s));
      return s;
    },
  });
  const setTheme = (name) => {
    // VS Code writes the variables as inline style on <html> and the theme kind as a class on <body>.
    for (const [k, v] of Object.entries(THEMES[name])) document.documentElement.style.setProperty(`--vscode-${k}`, v);
    document.body.classList.remove('vscode-light', 'vscode-dark');
    document.body.classList.add(`vscode-${name}`);
  };
  setTheme(document.body.classList.contains('vscode-light') ? 'light' : 'dark');
  const typed = { Int32Array, Uint8Array, Float32Array, Float64Array };
  /** Host -> webview: fields given as { $typed: 'Float32Array', data: [...] } become typed arrays. */
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      if (v.$typed) return typed[v.$typed].from(v.data);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  let prepared = null;
  /** Timed delivery: prepare() converts outside the measurement, deliver() posts and resolves after the next frames. */
  const deliver = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      window.postMessage(prepared, '*');
      setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0))), 0);
    });
  window.__harness = {
    posted,
    violations,
    setTheme,
    send: (m) => window.postMessage(revive(m), '*'),
    prepare: (m) => {
      prepared = revive(m);
    },
    deliver,
  };
})();
