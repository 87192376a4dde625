// What a user does in the browser workbench, for the host tests (test/e2e): choose a color theme through the palette,
// open a file from the explorer, make room for a view in the side bar.
import type { PlaywrightPage, VsCodeHost } from '../../scripts/vscode-host/host.mjs';

/** A playwright-core Locator (typed loosely, as host.d.mts types the page). */
type Locator = ReturnType<PlaywrightPage['locator']>;

/**
 * Through the palette, as a user would; the webview must follow (theme observer) and redraw. On a loaded machine the
 * first theme picker can open before its list is filled, so the pick is retried (three tries).
 */
export async function setTheme(host: VsCodeHost, theme: string): Promise<void> {
  const page = host.page;
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await host.executeCommand('Preferences: Color Theme');
    await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
    try {
      await row.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
}

/** Opens `name` from the explorer (expanding `folder` first when given), and waits for its tab. */
export async function openFile(host: VsCodeHost, name: string, folder?: string): Promise<void> {
  const page = host.page;
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  if (folder) {
    const parent = page.locator('.explorer-folders-view .monaco-list-row', { hasText: folder }).first();
    await parent.waitFor({ timeout: 30_000 });
    if (!(await row.isVisible().catch(() => false))) await parent.click();
  }
  await row.waitFor({ timeout: 30_000 });
  await row.dblclick();
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
}

/** Drags the side bar's right edge `px` to the right, so a view's long descriptions are not cut. */
export async function widenSideBar(host: VsCodeHost, px: number): Promise<void> {
  const page = host.page;
  const box = await page.locator('.part.sidebar').first().boundingBox();
  if (!box) throw new Error('no side bar to widen');
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + px, y, { steps: 10 });
  await page.mouse.up();
  // The mouse left in the status bar's empty middle: no hover of the editor or the title in the next screenshot.
  const viewport = page.viewportSize();
  if (viewport) await page.mouse.move(viewport.width / 2, viewport.height - 2);
}

/**
 * Right-clicks `row` and chooses `item` from its context menu, retried until `outcome` (a locator for what the choice
 * brings about) appears; returns false when it never does. Menu contributions arrive a moment after the extension
 * host starts, a menu left open blocks the next right-click, and a click on a menu still fading in is dropped: every
 * attempt closes whatever is open first, and the item is clicked until the menu has closed.
 */
export async function chooseFromContextMenu(
  host: VsCodeHost,
  row: Locator,
  item: string,
  outcome: Locator,
  options: { outcomeTimeout?: number; onMenu?: () => Promise<unknown> } = {},
): Promise<boolean> {
  const page = host.page;
  const menuItem = page.getByRole('menuitem', { name: item });
  await row.waitFor({ timeout: 30_000 });
  for (let choice = 0; choice < 3; choice++) {
    for (let attempt = 0; attempt < 40; attempt++) {
      await page.keyboard.press('Escape');
      await row.click({ button: 'right', timeout: 5000 }).catch(() => undefined);
      if (await menuItem.isVisible({ timeout: 1500 }).catch(() => false)) break;
    }
    if (choice === 0) await options.onMenu?.();
    await page.waitForTimeout(300);
    for (let click = 0; click < 5 && (await menuItem.isVisible().catch(() => false)); click++) {
      await menuItem.click({ timeout: 5000 }).catch(() => undefined);
      await page.waitForTimeout(500);
    }
    const came = await outcome.waitFor({ timeout: options.outcomeTimeout ?? 60_000 }).then(
      () => true,
      () => false,
    );
    if (came) return true;
  }
  return false;
}
