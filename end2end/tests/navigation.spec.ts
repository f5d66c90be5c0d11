import { NAV_PAGES, expect, test } from './fixtures/portal_page';

test('clicking Help in the Main navigation shows the Help page', async ({ portal, page }) => {
  await portal.goto('/');
  await expect(portal.navLink('Home')).toHaveAttribute('aria-current', 'page');

  await portal.navLink('Help').click();

  await expect(portal.heading).toHaveText('Help');
  await expect(page).toHaveURL(/\/help$/);
  await expect(portal.navLink('Help')).toHaveAttribute('aria-current', 'page');
  await expect(portal.navLink('Home')).not.toHaveAttribute('aria-current', 'page');
});

for (const { path, link } of NAV_PAGES) {
  test(`on ${path} only the "${link}" link is marked as the current page`, async ({ portal }) => {
    await portal.goto(path);
    for (const other of NAV_PAGES) {
      if (other.link === link) {
        await expect(portal.navLink(other.link)).toHaveAttribute('aria-current', 'page');
      } else {
        await expect(portal.navLink(other.link)).not.toHaveAttribute('aria-current', 'page');
      }
    }
  });
}

test('no navigation link is marked as the current page on the Page not found page', async ({ portal }) => {
  await portal.goto('/no-such-page');
  for (const { link } of NAV_PAGES) {
    await expect(portal.navLink(link)).not.toHaveAttribute('aria-current', 'page');
  }
});
