import { ALL_PAGES, expect, expectNoAxeViolations, test } from './fixtures/portal_page';

for (const { path, description } of ALL_PAGES) {
  test(`the ${description} (${path}) has no WCAG 2.1 AA violations found by axe`, async ({ portal, page }) => {
    await portal.goto(path);
    await expect(portal.heading).toBeVisible();
    await expectNoAxeViolations(page);
  });
}
