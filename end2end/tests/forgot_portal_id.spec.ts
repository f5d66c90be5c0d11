import { expect, test } from './fixtures/portal_page';
import { setUpCodeFor, totpNow } from './fixtures/totp';
import type { Page } from '@playwright/test';

// .ci/test issues activation codes for Grace Kim (desktop) and Omar Haddad (tablet) and creates
// a desk staff member per project, so this test needs nothing from any other.
const cases: Record<string, { code?: string; desk: string; mrn: string; dob: string; ssn: string; portalId: string; given: string }> = {
  desktop: { code: process.env.E2E_RECOVERY_CODE_DESKTOP, desk: 'e2e-desk-1', mrn: 'RB100009', dob: '1995-09-30', ssn: '123-45-6790', portalId: 'Grace.Kim', given: 'Grace' },
  tablet: { code: process.env.E2E_RECOVERY_CODE_TABLET, desk: 'e2e-desk-2', mrn: 'RB100010', dob: '1979-12-05', ssn: '123456791', portalId: 'omar_h', given: 'Omar' },
};

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}

test.describe('Forgotten portal ID (A7)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The account forms run with JavaScript');

  test('the help line gives an access code; the patient sees their portal ID and picks a new password', async ({ page, browser }, testInfo) => {
    const c = cases[testInfo.project.name];
    test.skip(!c?.code, 'no activation code was issued for this project');
    const { baseURL, viewport, hasTouch, isMobile } = testInfo.project.use;

    // The patient has an account.
    const patientContext = await browser.newContext({ baseURL, viewport, hasTouch, isMobile });
    const patient = await patientContext.newPage();
    await hydrated(patient, '/activate');
    await patient.getByLabel('Activation code').fill(c.code!);
    await patient.getByLabel('Date of birth').fill(c.dob);
    await patient.getByLabel('Choose a portal ID').fill(c.portalId);
    await patient.getByLabel('Choose a password').fill('forgotten-1');
    await patient.getByLabel('Password reset question').fill('First school?');
    await patient.getByLabel('Answer to your question').fill('Riverside');
    await patient.getByRole('button', { name: 'Activate' }).click();
    await expect(patient.getByRole('status')).toContainText('Your account is ready');

    // They call the help line; staff issue an access code at the desk.
    await hydrated(page, '/staff/sign-in');
    await page.getByLabel('Username').fill(c.desk);
    await page.getByLabel('Password').fill('e2e desk password 2026');
    await page.getByRole('button', { name: 'Continue' }).click();
    // The first sign-in asks for the set-up code given with the account.
    await page.getByLabel('Set-up code').fill(setUpCodeFor(c.desk));
    await page.getByRole('button', { name: 'Set up' }).click();
    const key = await page.getByLabel('Authenticator key').inputValue();
    await page.getByLabel('Authenticator code').fill(totpNow(key));
    await page.getByRole('button', { name: 'Verify' }).click();
    // The first sign-in sets up the app and shows the recovery codes, once.
    await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
    await page.getByRole('link', { name: 'Continue to the desk' }).click();
    await page.getByLabel('Medical record number').fill(c.mrn);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await page.getByRole('button', { name: 'Issue portal ID access code' }).click();
    const access = (await page.locator('.code-slip__code').textContent()) ?? '';

    // The patient recovers their portal ID and chooses a new password.
    await hydrated(patient, '/sign-in');
    await patient.getByRole('link', { name: 'Forgot portal ID?' }).click();
    await patient.getByLabel('Access code').fill(access);
    await patient.getByLabel('Social Security number').fill(c.ssn);
    await patient.getByLabel('Date of birth').fill(c.dob);
    await patient.getByRole('button', { name: 'Continue' }).click();
    await expect(patient.getByText(`Your portal ID is ${c.portalId}`)).toBeVisible();
    await patient.getByLabel('New password').fill('remembered-2');
    await patient.getByRole('button', { name: 'Change password' }).click();
    await expect(patient.getByRole('status')).toContainText('Your password has been changed');
    await patient.getByRole('link', { name: 'Sign in now' }).click();
    await patient.getByLabel('Portal ID').fill(c.portalId.toLowerCase());
    await patient.getByLabel('Password').fill('remembered-2');
    await patient.getByRole('button', { name: 'Sign in' }).click();
    await expect(patient.getByText(`Signed in as ${c.given}`)).toBeVisible();
    await patientContext.close();
  });
});
