/**
 * What the status banner over the plot says. Before the layout it always says something (layout
 * progress, else the host's message); afterwards it shows only what needs attention (loading,
 * computing, errors). Pure.
 */

/** The banner's state (a CSS class: loading, computing, ready, error), text, and whether it is hidden. */
export interface Banner {
  state: string;
  message: string;
  hidden: boolean;
}

/** What the banner is made from. */
export interface BannerInput {
  /** The host's last status. */
  host: { state: string; message: string };
  /** A WebGL error of this page, '' when none. */
  glError: string;
  /** The share of a layout arriving in chunks, undefined when none is. */
  incoming: number | undefined;
  hasLayout: boolean;
  /** The layout picker's caption (e.g. UMAP's progress), '' when none. */
  layoutCaption: string;
  hasDataset: boolean;
}

/** The banner for this state. */
export function banner(s: BannerInput): Banner {
  let state = s.host.state,
    message = s.host.message;
  if (s.glError) {
    state = 'error';
    message = s.glError;
  } else if (s.incoming !== undefined) {
    state = 'loading';
    message = `Loading points ${Math.floor(100 * s.incoming)} %`;
  } else if (!s.hasLayout && state !== 'error') {
    if (s.layoutCaption) {
      state = 'computing';
      message = `Computing the layout… ${s.layoutCaption}`;
    } else if (!message || state === 'ready') {
      state = s.hasDataset ? 'computing' : 'loading';
      message = s.hasDataset ? 'Computing the layout…' : 'Waiting for data…';
    }
  }
  const hidden = s.hasLayout && (message === '' || (state !== 'loading' && state !== 'computing' && state !== 'error'));
  return { state, message, hidden };
}
