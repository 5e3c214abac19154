/**
 * A malformed dataset as a user meets it: picked in "Inspect Embeddings", it gives an error notification naming the
 * file and the problem and opens no projection; the good dataset then opens again, at the margin chosen by the slider
 * step before (the picture for the README is taken here). Runs after steps.ts.
 */
import * as assert from 'node:assert/strict';
import { BROKEN } from './fixtures';
import { inspect, isolatedPoint, projectionWithAllPoints, sidebarCount, type Step } from './steps';
import {
  closeNotifications,
  closeQuickInput,
  errorNotification,
  findWebview,
  hook,
  runCommand,
  tabLabels,
  toPage,
  until,
} from './workbench';

export const malformedDataset: Step = {
  title: 'a malformed dataset gives a clear error notification and the good one still opens',
  shot: 'malformed',
  async run(c) {
    await closeQuickInput(c.page);
    await runCommand(c.page, 'View: Close All Editors');
    await inspect(c, 'broken');
    const note = await errorNotification(
      c.page,
      (t) => t.includes(`${BROKEN.folder}/${BROKEN.file}`) && /truncated/i.test(t),
    );
    c.log(`error notification (${note.where}): ${note.text.replace(/\s+/g, ' ').slice(0, 300)}`);
    await c.page.screenshot({ path: c.shotPath('malformed-error') });
    await closeNotifications(c.page);
    // Every editor was closed before: any projection tab now belongs to the broken dataset. (Its panel opened while it
    // loaded, and closes with the error.)
    let tabs: string[] = [];
    await until(
      "the broken dataset's panel to close",
      async () => {
        tabs = await tabLabels(c.page);
        return !tabs.some((t) => t.includes('Embeddings: '));
      },
      10_000,
    ).catch(() => assert.fail(`a projection stayed open for the broken file: ${JSON.stringify(tabs)}`));
    await inspect(c, 'sample');
    const frame = (c.projection = await projectionWithAllPoints(c));
    // The sidebar follows the new session, at the margin the user chose (persisted to the settings).
    const controls = (c.controls = await findWebview(c.page, 'controls', 10_000));
    const count = await sidebarCount(controls, c.chosen!.margin);
    assert.equal(
      count,
      c.chosen!.violating,
      `reopened at margin ${c.chosen!.margin}: the sidebar shows ${count} violating, the CLI ${c.chosen!.violating}`,
    );
    // The picture for the README: the reopened projection beside the sidebar, a sample hovered.
    await frame.locator('[data-testid=worst-row]').first().waitFor({ state: 'visible', timeout: 30_000 });
    const { index, fx, fy } = await isolatedPoint(frame, c.images.length);
    const at = await toPage(frame, { x: fx, y: fy });
    await c.page.mouse.move(at.x, at.y, { steps: 5 });
    await until(
      `hover index ${index} in the reopened projection`,
      async () => (await hook<number>(frame, 'hoverIndex')) === index,
      10_000,
    );
    await frame.locator('[data-testid=tooltip-image]').waitFor({ state: 'visible', timeout: 10_000 });
    await c.page.screenshot({ path: c.shotPath('readme') });
  },
};

export const malformedSteps: Step[] = [malformedDataset];
