/**
 * The one call to `acquireVsCodeApi()` a page may make, typed by what the page may post (its
 * protocol messages) and keep (its UI-only state). Each webview names its types in its own
 * vscodeApi.ts.
 */

/** Typed access to the host and to the state VS Code keeps across hide / show. */
export interface WebviewApi<Out, State> {
  post(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

let raw: { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void } | undefined;

/** The page's API handle (acquired on first use). */
export function webviewApi<Out, State>(): WebviewApi<Out, State> {
  const api = (raw ??= acquireVsCodeApi());
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState() as State | undefined,
    setState: (state) => {
      api.setState(state);
    },
  };
}
