import { expect, isoDateYearsAgo, test } from './fixtures/portal_page';

// Online enrolment (A2): the answer is the same whether or not the details matched, so the page
// cannot be used to find out who is a patient. Maria Chen has an email on file; the tablet
// project asks with an address that is not on file.
const cases: Record<string, { email: string }> = {
  desktop: { email: 'maria.chen@example.org' },
  tablet: { email: 'someone.else@example.org' },
};

test.describe('Asking for an activation code by email (A2)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The account forms run with JavaScript');

  test('the patient is told the code is on its way, whether or not the details matched', async ({ portal, page }, testInfo) => {
    const c = cases[testInfo.project.name];
    test.skip(!c, 'desktop and tablet only');
    await portal.goto('/getting-an-account');
    await page.getByRole('link', { name: 'ask for a code by email' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Ask for an activation code' })).toBeVisible();
    await page.getByLabel('Given name').fill('Maria');
    await page.getByLabel('Family name').fill('Chen');
    await page.getByLabel('Date of birth').fill('1984-03-09');
    await page.getByLabel('Email address on file').fill(c.email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page.getByRole('status')).toContainText('If those details match our records, we have emailed an activation code');
  });

  test('a minor is told plainly that accounts are for adults (A1)', async ({ portal, page }) => {
    await portal.goto('/request-activation-code');
    await page.getByLabel('Given name').fill('Sam');
    await page.getByLabel('Family name').fill('Chen');
    await page.getByLabel('Date of birth').fill(isoDateYearsAgo(10));
    await page.getByLabel('Email address on file').fill('sam@example.org');
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page.getByRole('alert')).toContainText('Only people aged 18 or over can have an account');
  });
});
