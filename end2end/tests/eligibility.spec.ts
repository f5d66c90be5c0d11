import { expect, isoDateYearsAgo, test } from './fixtures/portal_page';

// The check is a plain GET form (`dob` query parameter) that the server renders, so all of
// these run with JavaScript off too; with JavaScript on, the client-side router handles it.

test.describe('The eligibility check on Getting an account', () => {
  test.beforeEach(async ({ portal }) => {
    await portal.goto('/getting-an-account');
  });

  test('asks for the date of birth in a date field with a Check button', async ({ portal }) => {
    await expect(portal.dateOfBirth).toBeVisible();
    await expect(portal.dateOfBirth).toHaveAttribute('type', 'date');
    await expect(portal.checkButton).toBeVisible();
  });

  test('tells an adult that they can have an account', async ({ portal }) => {
    await portal.checkEligibility('1980-05-01');
    await expect(portal.eligibilityResult).toContainText('can have an account');
  });

  test('tells a 10-year-old that they are under 18', async ({ portal }) => {
    await portal.checkEligibility(isoDateYearsAgo(10));
    await expect(portal.eligibilityResult).toContainText('under 18');
  });

  test('asks for a date of birth when the field is left empty', async ({ portal }) => {
    // The field must not be `required` (or the form must be `novalidate`): the server's message
    // is what the person should see, not the browser's validation bubble.
    await expect(portal.dateOfBirth).toHaveValue('');
    await portal.checkButton.click();
    await expect(portal.eligibilityResult).toContainText('Enter your date of birth');
  });
});

test('the server renders the eligibility result from the dob query parameter', async ({ portal }) => {
  await portal.goto('/getting-an-account?dob=1980-05-01');
  await expect(portal.eligibilityResult).toContainText('can have an account');
});

test.describe('With JavaScript off', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled !== false, 'Only the no-javascript project submits the form natively');

  test('the check is an ordinary GET request with the date in dob', async ({ portal, page }) => {
    await portal.goto('/getting-an-account');
    await portal.checkEligibility('1980-05-01');
    await expect(page).toHaveURL(/\/getting-an-account\?(.*&)?dob=1980-05-01(&|$)/);
    await expect(portal.eligibilityResult).toContainText('can have an account');
  });
});

test.describe('With JavaScript on', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'Needs JavaScript: the client-side router handles the form');

  test('a check after hydration updates the page without a full reload', async ({ portal, page }) => {
    await portal.goto('/getting-an-account'); // waits for hydration

    await page.evaluate(() => {
      (window as unknown as { __noReload?: boolean }).__noReload = true;
    });

    await portal.checkEligibility('1980-05-01');
    await expect(portal.eligibilityResult).toContainText('can have an account');

    // A full page load would have thrown the flag away together with the old window.
    const flag = await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload);
    expect(flag, 'window.__noReload survived, so the page was not reloaded').toBe(true);
  });
});
