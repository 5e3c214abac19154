import type * as vscode from 'vscode';

/**
 * How a host view's messages reach its page. The views post to their webview through one; the
 * integration tests wrap it to record what was sent (test/integration/helpers.ts), so the views
 * keep no log of their own.
 */
export interface Transport<T> {
  post(m: T): void;
}

/** Posts to the webview `webview()` returns at the time (none: the message is dropped). */
export function webviewTransport<T>(webview: () => vscode.Webview | undefined): Transport<T> {
  return {
    post: (m) => {
      void webview()?.postMessage(m);
    },
  };
}
