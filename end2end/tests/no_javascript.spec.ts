import { NAV_PAGES, expect, expectNoAxeViolations, test } from './fixtures/portal_page';
import { setUpCodeFor, totpNow } from './fixtures/totp';

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

  // Every form posts and the server answers with the page (issue 12, point 9). .ci/test creates
  // e2e-desk-5 for this journey, and it registers a patient no other test uses.
  test('staff register a patient and issue a code; the patient activates and signs in (A2-A4)', async ({ portal, page, browser }, testInfo) => {
    await portal.goto('/staff/sign-in');
    await page.getByLabel('Username').fill('e2e-desk-5');
    await page.getByLabel('Password').fill('e2e desk password 2026');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Set-up code').fill('WRNG-CODE-0000');
    await page.getByRole('button', { name: 'Set up' }).click();
    await expect(page.getByRole('alert')).not.toBeEmpty();
    await page.getByLabel('Set-up code').fill(setUpCodeFor('e2e-desk-5'));
    await page.getByRole('button', { name: 'Set up' }).click();
    // The QR code is drawn by the server, so it is there without JavaScript.
    await expect(page.getByRole('img', { name: /QR code of the key/ })).toBeVisible();
    const key = await page.getByLabel('Authenticator key').inputValue();
    await page.getByLabel('Authenticator code').fill(totpNow(key));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('list', { name: 'Recovery codes' })).toBeVisible();
    await page.getByRole('link', { name: 'Continue to the desk' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Enrolment desk' })).toBeVisible();

    const register = page.getByRole('region', { name: 'Register a new patient' });
    await register.getByLabel('Given name').fill('Lena');
    await register.getByLabel('Family name').fill('Ortiz');
    await register.getByLabel('Date of birth').fill('1992-06-11');
    await register.getByRole('button', { name: 'Register patient' }).click();
    await expect(register.getByRole('status')).toContainText('Lena Ortiz is registered as record RB');
    await page.getByRole('button', { name: 'Issue activation code' }).click();
    const slip = page.locator('.code-slip__code');
    await expect(slip).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const code = (await slip.textContent())!.trim();

    // The patient, in a browser of their own, also without JavaScript.
    const context = await browser.newContext({ javaScriptEnabled: false, baseURL: testInfo.project.use.baseURL });
    const patient = await context.newPage();
    await patient.goto('/activate');
    const activate = async (dob: string) => {
      await patient.getByLabel('Activation code').fill(code);
      await patient.getByLabel('Date of birth').fill(dob);
      await patient.getByLabel('Choose a portal ID').fill('lena.ortiz');
      await patient.getByLabel('Choose a password').fill('riverbend7');
      await patient.getByLabel('Password reset question').fill('Name of my first pet?');
      await patient.getByLabel('Answer to your question').fill('Biscuit');
      await patient.getByRole('button', { name: 'Activate' }).click();
    };
    await activate('1992-06-12');
    await expect(patient.getByRole('alert')).not.toBeEmpty();
    await expect(patient.getByText('Your account is ready')).toHaveCount(0);
    await activate('1992-06-11');
    await expect(patient.getByRole('status')).toContainText('Your account is ready');

    await patient.getByRole('link', { name: 'Sign in now' }).click();
    await patient.getByLabel('Portal ID').fill('lena.ortiz');
    await patient.getByLabel('Password').fill('not-the-password-1');
    await patient.getByRole('button', { name: 'Sign in' }).click();
    await expect(patient.getByRole('alert')).toContainText('did not match');
    // The refusal, next to the form, passes the accessibility checks too.
    await expectNoAxeViolations(patient);
    await patient.getByLabel('Portal ID').fill('lena.ortiz');
    await patient.getByLabel('Password').fill('riverbend7');
    await patient.getByRole('button', { name: 'Sign in' }).click();
    await expect(patient.getByText('Signed in as Lena')).toBeVisible();
    await expect(patient).toHaveURL(/\/$/);

    await patient.getByRole('button', { name: 'Sign out' }).click();
    await expect(patient.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(patient.getByText('Signed in as Lena')).toHaveCount(0);
    await context.close();
  });
});
