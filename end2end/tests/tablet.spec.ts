import { expect, test } from './fixtures/portal_page';

// WCAG 2.5.5 (Target Size, 44 by 44 CSS pixels), checked on the touch-screen project only.
// The skip link is exempt: it is only shown to keyboard users.
const MIN_TARGET = 44;

test.describe('On a tablet', () => {
  test.skip(({ hasTouch }) => !hasTouch, 'Touch target sizes are checked in the tablet project only');

  test('every Main navigation link and every button in the main content is at least 44 by 44 CSS pixels', async ({
    portal,
  }) => {
    await portal.goto('/getting-an-account');
    await expect(portal.checkButton).toBeVisible();

    const navLinks = await portal.mainNavigation.getByRole('link').all();
    const buttons = await portal.main.getByRole('button').all();
    expect(navLinks.length, 'links in the Main navigation').toBeGreaterThanOrEqual(3);
    expect(buttons.length, 'buttons in the main content (the Check button at least)').toBeGreaterThanOrEqual(1);

    const tooSmall: string[] = [];
    for (const [kind, targets] of [
      ['link', navLinks],
      ['button', buttons],
    ] as const) {
      for (const target of targets) {
        await expect(target).toBeVisible();
        const name = (await target.innerText()).trim();
        const box = await target.boundingBox();
        if (box === null) {
          tooSmall.push(`${kind} "${name}": not rendered`);
        } else if (box.width < MIN_TARGET - 0.01 || box.height < MIN_TARGET - 0.01) {
          tooSmall.push(`${kind} "${name}": ${box.width.toFixed(1)} x ${box.height.toFixed(1)}`);
        }
      }
    }
    expect(tooSmall, `targets smaller than ${MIN_TARGET} x ${MIN_TARGET} CSS px`).toEqual([]);
  });

  test('the Check button is at least 44 by 44 CSS pixels', async ({ portal }) => {
    await portal.goto('/getting-an-account');
    const box = await portal.checkButton.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThanOrEqual(MIN_TARGET - 0.01);
    expect(box!.height).toBeGreaterThanOrEqual(MIN_TARGET - 0.01);
  });
});
