import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, test } from './fixtures/portal_page';
import { setUpCodeFor, totpNow } from './fixtures/totp';

// Each project uses its own staff member and patient, so the two run side by side: desktop is
// the front desk enrolling Pat Morgan (born 29 February 2008, an adult since 1 March 2026),
// tablet the administrator enrolling Jordan Chen.
const cases: Record<string, { username: string; mrn: string; patient: string; portalId: string; given: string }> = {
  desktop: { username: 'desk', mrn: 'RB100006', patient: 'Pat Morgan', portalId: 'pat.morgan', given: 'Pat' },
  tablet: { username: 'admin', mrn: 'RB100005', patient: 'Jordan Chen', portalId: 'jordan.chen', given: 'Jordan' },
};

function isoDate(text: string): string {
  const d = new Date(`${text} 12:00`);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

test.describe('Staff issue a code at the desk (A2)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The desk runs with JavaScript');

  test('staff issue a code, the patient activates, signs in and out, then signs in with 2-step verification', async ({ portal, page, browser }, testInfo) => {
    const c = cases[testInfo.project.name];
    test.skip(!c, 'desktop and tablet only');
    test.setTimeout(120_000);

    await portal.goto('/staff/sign-in');
    await page.getByLabel('Username').fill(c.username);
    await page.getByLabel('Password').fill('riverbend-demo-2026');
    await page.getByRole('button', { name: 'Continue' }).click();
    // The first sign-in asks for the set-up code given with the account.
    await page.getByLabel('Set-up code').fill(setUpCodeFor(c.username));
    await page.getByRole('button', { name: 'Set up' }).click();
    const key = await page.getByLabel('Authenticator key').inputValue();
    await page.getByLabel('Authenticator code').fill(totpNow(key));
    await page.getByRole('button', { name: 'Verify' }).click();
    // The first sign-in sets up the app and shows the recovery codes, once.
    await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
    await page.getByRole('link', { name: 'Continue to the desk' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Enrolment desk' })).toBeVisible();

    await page.getByLabel('Medical record number').fill(c.mrn);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await expect(page.getByRole('heading', { name: c.patient })).toBeVisible();
    await expect(page.getByText(/\*\*\*-\*\*-\d{4}/)).toBeVisible();
    const born = await page.locator('dt:has-text("Date of birth") + dd').textContent();
    await page.getByRole('button', { name: 'Issue activation code' }).click();
    const code = (await page.locator('.code-slip__code').textContent()) ?? '';
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    // The patient, on their own device.
    const { baseURL, viewport, hasTouch, isMobile } = testInfo.project.use;
    const patientContext = await browser.newContext({ baseURL, viewport, hasTouch, isMobile });
    const patientPage = await patientContext.newPage();
    await patientPage.goto('/activate');
    await patientPage.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await patientPage.getByLabel('Activation code').fill(code);
    await patientPage.getByLabel('Date of birth').fill(isoDate(born ?? ''));
    await patientPage.getByLabel('Choose a portal ID').fill(c.portalId);
    await patientPage.getByLabel('Choose a password').fill('riverbend7');
    await patientPage.getByLabel('Password reset question').fill('Favourite teacher?');
    await patientPage.getByLabel('Answer to your question').fill('Ms Ortiz');
    await patientPage.getByRole('button', { name: 'Activate' }).click();
    await expect(patientPage.getByRole('status')).toContainText('Your account is ready');
    await patientPage.getByRole('link', { name: 'Sign in now' }).click();
    await expect(patientPage.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await patientPage.getByLabel('Portal ID').fill(c.portalId);
    await patientPage.getByLabel('Password').fill('riverbend7');
    await patientPage.getByRole('button', { name: 'Sign in' }).click();
    await expect(patientPage.getByText(`Signed in as ${c.given}`)).toBeVisible();
    await patientPage.getByRole('button', { name: 'Sign out' }).click();
    await expect(patientPage.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();

    // 2-step verification, optional for patients: turn it on, then sign in with a second step.
    await signIn(patientPage, c.portalId);
    await expect(patientPage.getByText(`Signed in as ${c.given}`)).toBeVisible();
    await patientPage.getByRole('link', { name: 'Account security' }).click();
    await patientPage.getByRole('button', { name: 'Turn on 2-step verification' }).click();
    const patientKey = await patientPage.getByLabel('add an account with this key').inputValue();
    await expectNoAxeViolations(patientPage);
    await patientPage.getByLabel('Code from the app').fill(totpNow(patientKey));
    await patientPage.getByLabel('Your password').fill('riverbend7');
    await patientPage.getByRole('button', { name: 'Turn on', exact: true }).click();
    const codes = patientPage.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect(codes).toHaveCount(10);
    const recoveryCode = (await codes.first().textContent()) ?? '';
    await expect(patientPage.getByText('2-step verification is on.')).toBeVisible();
    await expect(patientPage.getByRole('list', { name: 'Signed-in devices' }).getByText('This device')).toBeVisible();
    await expectNoAxeViolations(patientPage);
    await patientPage.getByRole('button', { name: 'Sign out' }).click();
    await expect(patientPage.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();

    await signIn(patientPage, c.portalId);
    await expect(patientPage.getByRole('heading', { name: '2-step verification' })).toBeVisible();
    await expect(patientPage.getByText(`Signed in as ${c.given}`)).toHaveCount(0);
    if (testInfo.project.name === 'desktop') {
      // The code of the next 30-second step: the one used to turn it on works only once.
      await patientPage.getByLabel('Code').fill(totpNow(patientKey, 1));
      await patientPage.getByLabel('Remember this device for 30 days').check();
      await patientPage.getByRole('button', { name: 'Verify' }).click();
      await expect(patientPage.getByText(`Signed in as ${c.given}`)).toBeVisible();
      await patientPage.getByRole('button', { name: 'Sign out' }).click();
      await expect(patientPage.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
      // A remembered device goes straight in.
      await signIn(patientPage, c.portalId);
      await expect(patientPage.getByText(`Signed in as ${c.given}`)).toBeVisible();
    } else {
      // No phone at hand: a recovery code works once, and the security page says how many are left.
      await patientPage.getByLabel('Code').fill(recoveryCode);
      await patientPage.getByRole('button', { name: 'Verify' }).click();
      await expect(patientPage.getByRole('heading', { level: 1, name: 'Account security' })).toBeVisible();
      await expect(patientPage.getByText('You have 9 unused recovery codes.')).toBeVisible();
      await expect(patientPage.getByText(`Signed in as ${c.given}`)).toBeVisible();
    }
    await patientContext.close();
  });
});

async function signIn(page: Page, portalId: string): Promise<void> {
  await page.goto('/sign-in');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Portal ID').fill(portalId);
  await page.getByLabel('Password').fill('riverbend7');
  await page.getByRole('button', { name: 'Sign in' }).click();
}
