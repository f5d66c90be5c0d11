import { ALL_PAGES, NAV_PAGES, PORTAL_NAME_PART, expect, test } from './fixtures/portal_page';

const TECHNICAL_HELP = 'Technical help, 24 hours a day';

for (const { path, description } of ALL_PAGES) {
  test.describe(`The ${description} (${path})`, () => {
    test('declares its language as English', async ({ portal, page }) => {
      await portal.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    });

    test('has a skip link that Tab reaches first and that moves focus to the main content', async ({
      portal,
      page,
    }) => {
      await portal.goto(path);

      await page.keyboard.press('Tab');
      await expect(portal.skipLink).toBeFocused();
      const box = await portal.skipLink.boundingBox();
      expect(box, 'the focused skip link is rendered').not.toBeNull();
      expect(box!.width, 'the focused skip link is visible on screen, not clipped away').toBeGreaterThan(10);
      expect(box!.height, 'the focused skip link is visible on screen, not clipped away').toBeGreaterThan(10);

      await page.keyboard.press('Enter');
      await expect(page.locator('main#main')).toBeFocused();
    });

    test('has one banner, one main and one footer landmark', async ({ portal }) => {
      await portal.goto(path);
      await expect(portal.banner).toHaveCount(1);
      await expect(portal.main).toHaveCount(1);
      await expect(portal.footer).toHaveCount(1);
    });

    test('shows the portal name in the banner', async ({ portal }) => {
      await portal.goto(path);
      await expect(portal.banner).toBeVisible();
      await expect(portal.banner).toContainText(PORTAL_NAME_PART);
    });

    test('has a Main navigation with links to Home, Getting an account and Help', async ({ portal }) => {
      await portal.goto(path);
      await expect(portal.mainNavigation).toBeVisible();
      for (const { path: target, link } of NAV_PAGES) {
        await expect(portal.navLink(link)).toBeVisible();
        await expect(portal.navLink(link)).toHaveAttribute('href', target);
      }
    });

    test('has a footer with the 24-hour technical help phone number as a phone link', async ({ portal }) => {
      await portal.goto(path);
      const footer = portal.footer;
      await expect(footer).toContainText(TECHNICAL_HELP);

      const phoneLinks = footer.locator('a[href^="tel:"]');
      await expect(phoneLinks.first()).toBeVisible();

      // The phone link must come after the "Technical help" text, in reading order.
      const footerText = await footer.innerText();
      const labelAt = footerText.indexOf(TECHNICAL_HELP);
      expect(labelAt).toBeGreaterThanOrEqual(0);
      const candidates: { href: string | null; text: string; at: number }[] = [];
      for (const link of await phoneLinks.all()) {
        const text = (await link.innerText()).trim();
        candidates.push({ href: await link.getAttribute('href'), text, at: footerText.indexOf(text, labelAt) });
      }
      const phone = candidates.find((candidate) => candidate.text !== '' && candidate.at > labelAt);
      expect(phone, `a tel: link with visible text after "${TECHNICAL_HELP}" in: ${JSON.stringify(candidates)}`).toBeDefined();
      expect(phone!.href).toMatch(/^tel:\+?\d{3,}$/);
    });
  });
}
