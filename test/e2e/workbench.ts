/**
 * Driving the VS Code workbench (code-server 1.139 in Chromium) the way a user does: the command
 * palette, quick picks, notifications, editor tabs, and the extension's two webviews. Selectors
 * follow /work/shared/notes/vscode-testing-here.md. Every wait is bounded.
 */
import type { Frame, Page } from 'playwright-core';

/** Polls `fn` until it returns a truthy value; fails with `what` (and the last value) after `ms`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  ms = 30_000,
  every = 150,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = (e as Error)?.message ?? e;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms / 1000} s waiting for ${what}${last !== undefined ? ` (last: ${JSON.stringify(last)?.slice(0, 300)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, every));
  }
}

const PALETTE_INPUT = '.quick-input-widget input.input';
const OPTIONS = '.quick-input-widget [role=option]';

/** Waits until the workbench has rendered (activity bar and status bar present). */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * Runs a command from the palette by its title (F1, type, Enter on the option whose label matches).
 * A contributed command is missing until the extension host has read the extension: retry.
 */
export async function runCommand(page: Page, title: string, ms = 60_000): Promise<void> {
  await until(
    `the command "${title}" in the palette`,
    async () => {
      await closeQuickInput(page);
      await page.keyboard.press('F1');
      const input = page.locator(PALETTE_INPUT);
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill('>' + title);
      const option = page.locator(OPTIONS).filter({ hasText: title }).first();
      try {
        await option.waitFor({ state: 'visible', timeout: 3_000 });
      } catch {
        return false;
      }
      await option.click();
      return true;
    },
    ms,
    500,
  );
}

/** Closes the palette / quick pick if open. */
export async function closeQuickInput(page: Page): Promise<void> {
  if (await page.locator(PALETTE_INPUT).isVisible()) {
    await page.keyboard.press('Escape');
    await page
      .locator(PALETTE_INPUT)
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
  }
}

/**
 * The texts of the quick pick's options once it shows at least `atLeast` (the list fills in over a
 * few frames), or whatever it shows after `ms` so the caller's assertion reports it.
 */
export async function quickPickOptions(page: Page, atLeast: number, ms = 30_000): Promise<string[]> {
  const read = async (): Promise<string[] | false> => {
    if (!(await page.locator(PALETTE_INPUT).isVisible())) return false;
    const texts = await page.locator(OPTIONS).allInnerTexts();
    // The palette's own "Inspect Embeddings" entry may still be listed for an instant.
    return texts.length > 0 && !texts.some((t) => /Inspect Embeddings/.test(t)) && texts;
  };
  const first = await until('a quick pick with options', read, ms);
  if (first.length >= atLeast) return first;
  return until(
    `${atLeast} options in the quick pick`,
    async () => {
      const t = await read();
      return t && t.length >= atLeast && t;
    },
    5_000,
  ).catch(async () => (await read()) || first);
}

/** Picks the quick-pick option whose text contains `text`. */
export async function pickOption(page: Page, text: string): Promise<void> {
  const option = page.locator(OPTIONS).filter({ hasText: text }).first();
  await option.waitFor({ state: 'visible', timeout: 10_000 });
  try {
    await option.click({ timeout: 15_000 });
  } catch (e) {
    // Seen once in a fresh clone after a step had clicked inside a webview: the list's rows stayed inert to the
    // pointer for 30 s. Choose by keyboard instead, as a user could: filter by the text, then Enter.
    console.log(
      `    pickOption: clicking "${text}" failed (${(e as Error).message.split('\n')[0]}); choosing by keyboard`,
    );
    await page.locator(PALETTE_INPUT).fill(text);
    await page.keyboard.press('Enter');
  }
}

const CENTER = '.notifications-center';
const CENTER_ITEM = '.notifications-center .notification-list-item';

/**
 * Waits for an error notification whose text satisfies `match`: a toast, or else an entry in the
 * notification centre, opened with the status bar's bell as a user would. (The workbench shows no
 * toasts at all while the smoke-test driver is enabled, and scripts/codeServer.mjs always enables
 * it; the notification still reaches the centre.) The entry must carry the error icon.
 */
export async function errorNotification(
  page: Page,
  match: (text: string) => boolean,
  ms = 30_000,
): Promise<{ where: 'toast' | 'centre'; text: string }> {
  return until(
    'an error notification',
    async () => {
      for (const [where, sel] of [
        ['toast', '.notifications-toasts .notification-toast'],
        ['centre', CENTER_ITEM],
      ] as const) {
        const items = page.locator(sel);
        for (let i = 0; i < (await items.count()); i++) {
          const text = await items.nth(i).innerText();
          if (!match(text)) continue;
          const icon = await items.nth(i).locator('.notification-list-item-icon').getAttribute('class');
          if (!/error/.test(icon ?? '')) throw new Error(`the notification is not an error (icon ${icon}): ${text}`);
          return { where, text };
        }
      }
      if (!(await page.locator(CENTER).isVisible())) await page.locator('[id="status.notifications"]').click();
      return false;
    },
    ms,
    500,
  );
}

/** Hides the notification centre if it is open. */
export async function closeNotifications(page: Page): Promise<void> {
  if (await page.locator(CENTER).isVisible()) await page.locator('[id="status.notifications"]').click();
}

/** Labels (aria-label or title) of the editor tabs. */
export async function tabLabels(page: Page): Promise<string[]> {
  return page
    .locator('.tabs-container .tab')
    .evaluateAll((tabs) =>
      tabs.map(
        (t) =>
          `${t.getAttribute('aria-label') ?? ''} | ${t.getAttribute('title') ?? ''} | ${(t as unknown as { innerText: string }).innerText}`,
      ),
    );
}

/** Which of the extension's webviews a frame is: its test hook tells them apart. */
export type WebviewKind = 'projection' | 'controls';

/**
 * The inner frame (`#active-frame`) of the extension's visible webview of this kind, found by its
 * test hook (`pointsDrawn` only exists in the projection, `violatingText` only in the controls).
 */
export async function findWebview(page: Page, kind: WebviewKind, ms = 60_000): Promise<Frame> {
  const probe = kind === 'projection' ? 'pointsDrawn' : 'violatingText';
  return until(
    `the ${kind} webview`,
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame() || f.isDetached()) continue;
        const ok = await f
          .evaluate(`(() => { const h = window.__embeddingInspector; return !!h && ${JSON.stringify(probe)} in h; })()`)
          .catch(() => false);
        if (ok) return f;
      }
      return false;
    },
    ms,
    250,
  );
}

/** Reads one property of a webview's test hook. */
export function hook<T>(frame: Frame, prop: string): Promise<T> {
  return frame.evaluate(`window.__embeddingInspector[${JSON.stringify(prop)}]`) as Promise<T>;
}

/**
 * Page coordinates of a point given in the inner frame's viewport: the inner iframe element's box
 * is already relative to the main page (Playwright resolves the nesting).
 */
export async function toPage(frame: Frame, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const el = await frame.frameElement();
  const box = await el.boundingBox();
  if (!box) throw new Error('the webview frame has no box (hidden?)');
  return { x: box.x + p.x, y: box.y + p.y };
}
