import { NAV_PAGES, expect, test } from './fixtures/portal_page';

test.describe('With JavaScript off', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled !== false, 'Runs in the no-javascript project only');

  test('the home page is readable: it shows its heading and the navigation', async ({ portal, page }) => {
    await portal.goto('/');
    // Nothing ran in the page: the server-rendered HTML alone is what the person sees.
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

    await expect(portal.heading).toBeVisible();
    await expect(portal.heading).toContainText('Welcome');
    await expect(portal.mainNavigation).toBeVisible();
    for (const { link } of NAV_PAGES) {
      await expect(portal.navLink(link)).toBeVisible();
    }
  });
});
