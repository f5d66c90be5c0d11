import { expect, expectNoAxeViolations, test } from './fixtures/portal_page';
import { setUpCodeFor, totpNow } from './fixtures/totp';

// .ci/test creates a desk staff member per project for this test (a first sign-in sets up an
// authenticator, so staff are never shared between tests), and each project registers a
// different new patient.
const cases: Record<string, { desk: string; given: string; family: string; dob: string }> = {
  desktop: { desk: 'e2e-desk-3', given: 'Noor', family: 'Saleh', dob: '1990-04-02' },
  tablet: { desk: 'e2e-desk-4', given: 'Rami', family: 'Aziz', dob: '1985-10-17' },
};

test.describe('The enrolment desk finds or registers a patient (A2)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The desk runs with JavaScript');

  test('staff search by name and date of birth, register a new patient and issue their code', async ({ portal, page }, testInfo) => {
    const c = cases[testInfo.project.name];
    test.skip(!c, 'desktop and tablet only');

    await portal.goto('/staff/sign-in');
    await page.getByLabel('Username').fill(c.desk);
    await page.getByLabel('Password').fill('e2e desk password 2026');
    await page.getByRole('button', { name: 'Continue' }).click();
    // The first sign-in asks for the set-up code given with the account.
    await page.getByLabel('Set-up code').fill(setUpCodeFor(c.desk));
    await page.getByRole('button', { name: 'Set up' }).click();
    const key = await page.getByLabel('Authenticator key').inputValue();
    await page.getByLabel('Authenticator code').fill(totpNow(key));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Continue to the desk' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Enrolment desk' })).toBeVisible();

    // A patient who does not know their record number.
    await page.getByLabel('Family name').first().fill('rivera');
    await page.getByLabel('Date of birth').first().fill('1988-07-14');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await expect(results.getByText('Alex Rivera')).toBeVisible();
    await results.getByRole('button', { name: /Open Alex Rivera/ }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Alex Rivera' })).toBeVisible();

    // Someone not on record: the search finds no one, so the desk registers them.
    await page.getByLabel('Family name').first().fill(c.family);
    await page.getByLabel('Date of birth').first().fill(c.dob);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByText('No patient has that family name and date of birth.')).toBeVisible();
    const register = page.getByRole('region', { name: 'Register a new patient' });
    await register.getByLabel('Given name').fill(c.given);
    await register.getByLabel('Family name').fill(c.family);
    await register.getByLabel('Date of birth').fill(c.dob);
    await register.getByLabel('Email (optional)').fill(`${c.given.toLowerCase()}@example.org`);
    await register.getByRole('button', { name: 'Register patient' }).click();
    await expect(register.getByRole('status')).toContainText(`${c.given} ${c.family} is registered as record RB`);
    await expect(page.getByRole('heading', { level: 2, name: `${c.given} ${c.family}` })).toBeVisible();

    // Registering the same person again is refused.
    await register.getByRole('button', { name: 'Register patient' }).click();
    await expect(register.getByRole('alert')).toContainText('is already registered as record RB');

    await page.getByRole('button', { name: 'Issue activation code' }).click();
    await expect(page.locator('.code-slip__code')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // The desk with a search, a patient, the registration form and a code slip on it.
    await expectNoAxeViolations(page);
  });
});
