import type { Locator, Page } from '@playwright/test';
import { expect, expectNoAxeViolations, test } from './fixtures/portal_page';

// Appointments (issue 15, C1, C2, P4, P5), with the accounts .ci/test makes for the demo's
// Walter Brooks, Erin Brooks and Maria Chen (password riverbend7). Each project books its own
// kind of visit so that the projects, running at once, never want the same time.
const journeys: Record<string, { portalId: string; given: string; visit: string }> = {
  desktop: { portalId: 'walter.brooks', given: 'Walter', visit: 'Annual physical' },
  tablet: { portalId: 'erin.brooks', given: 'Erin', visit: 'Office visit' },
  'no-javascript': { portalId: 'maria.chen', given: 'Maria', visit: 'Flu shot' },
};

function appointment(page: Page, visit: string): Locator {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: visit }) });
}

test.describe('Appointments (C1, C2, P4)', () => {
  test('a patient books a visit, is refused one for two people, and cancels it', async ({ portal, page }, testInfo) => {
    const journey = journeys[testInfo.project.name];
    await portal.signIn(journey.portalId, journey.given);
    await portal.goto('/records');
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Your own record' })
      .getByRole('link', { name: 'Appointments' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your appointments' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: 'Upcoming' })).toBeVisible();
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Book an appointment' })).toBeVisible();
    if (portal.javaScriptEnabled) {
      await portal.waitForHydration();
    }
    // What only the clinic books is named, with its number (C1).
    await expect(page.getByText('These cannot be booked online.')).toBeVisible();
    await expect(page.getByText('Procedure consultation')).toBeVisible();
    await expect(page.getByText("The clinic's number is 608-555-0100.")).toBeVisible();
    await page.getByRole('radio', { name: new RegExp(`^${journey.visit}`) }).check();
    await page.getByRole('button', { name: 'Show open times' }).click();
    const times = page.getByRole('region', { name: /2\. Choose a time/ });
    await expect(times).toBeVisible();
    await expectNoAxeViolations(page);

    // Four weeks ahead: far enough to cancel online whatever the visit's notice.
    const last = times.getByRole('radio').last();
    const label = (await last.evaluate((input) => input.parentElement?.textContent ?? '')).trim();
    const day = (await last.evaluate((input) => input.closest('fieldset')?.querySelector('legend')?.textContent ?? '')).trim();

    // A visit for two children at once cannot be booked online (C1).
    await last.check();
    await times.getByLabel(/more than one person at once/).check();
    await times.getByRole('button', { name: 'Book this time' }).click();
    await expect(page.getByRole('alert')).toContainText('cannot be booked online');
    await expect(page.getByRole('alert')).toContainText('608-555-0100');

    await page.getByRole('radio', { name: label }).last().check();
    await page.getByLabel(/more than one person at once/).uncheck();
    await page.getByRole('button', { name: 'Book this time' }).click();
    await expect(page.getByRole('status')).toContainText(`Booked: ${journey.visit} on ${day}`);

    await page.getByRole('link', { name: 'See all appointments' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your appointments' })).toBeVisible();
    if (portal.javaScriptEnabled) {
      await portal.waitForHydration();
    }
    const booked = appointment(page, journey.visit).filter({ hasText: day });
    await expect(booked).toContainText('You can cancel online until');
    await booked.getByRole('link', { name: `Cancel this appointment: ${journey.visit} on ${day}` }).click();
    await expect(page.getByText(`Cancel the ${journey.visit} on ${day}`)).toBeVisible();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect(page.getByRole('status')).toContainText(`Cancelled: ${journey.visit} on ${day}`);
    const inRegion = (name: string) =>
      page.getByRole('region', { name }).getByRole('listitem').filter({ hasText: journey.visit }).filter({ hasText: day });
    await expect(inRegion('Upcoming')).toHaveCount(0);
    await expect(inRegion('Past and cancelled')).toContainText('Cancelled');
  });

  test("a parent books for her 15-year-old, whose other areas stay closed (P5)", async ({ portal, page }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'one project is enough: the booking journey runs on all three');
    await portal.signIn('maria.chen', 'Maria');
    await portal.goto('/records');
    const lily = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: 'Lily Chen' }) });
    await lily.getByRole('link', { name: 'Appointments' }).click();
    await expect(page.getByRole('heading', { level: 1, name: "Lily Chen's appointments" })).toBeVisible();
    await expect(page.getByText("You are viewing Lily Chen's record.")).toBeVisible();
    // The demo's flu shot was booked by the clinic and may be cancelled online until 2 hours before.
    await expect(appointment(page, 'Flu shot')).toContainText('You can cancel online until');
    const menu = page.getByRole('navigation', { name: "Lily's record" });
    await expect(menu.getByRole('link', { name: 'Personal information' })).toHaveCount(0);
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Book an appointment for Lily' })).toBeVisible();

    // Her results and personal information answer as if there were no such record.
    const lilyId = new URL(page.url()).searchParams.get('for');
    for (const area of ['results', 'personal-information']) {
      const response = await page.goto(`/record/${area}?for=${lilyId}`);
      expect(response?.status()).toBe(404);
      await expect(page.getByText('We could not find this record.')).toBeVisible();
    }
  });
});
