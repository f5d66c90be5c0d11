import { expect, test, type PortalPage } from './fixtures/portal_page';
import type { Page } from '@playwright/test';

// .ci/test issues these codes before the portal starts: Nora Patel for desktop, Ben Ortiz
// for tablet. Each test activates its own patient, so it depends on no other test.
const patients: Record<string, { code?: string; dob: string; ssn: string; portalId: string; name: string }> = {
  desktop: { code: process.env.E2E_RESET_CODE_DESKTOP, dob: '1990-04-12', ssn: '123-45-6792', portalId: 'nora.patel', name: 'Nora' },
  tablet: { code: process.env.E2E_RESET_CODE_TABLET, dob: '1966-10-30', ssn: '123456793', portalId: 'ben.o', name: 'Ben' },
};

async function activate(portal: PortalPage, page: Page, p: { code?: string; dob: string; portalId: string }) {
  await portal.goto('/activate');
  await page.getByLabel('Activation code').fill(p.code!);
  await page.getByLabel('Date of birth').fill(p.dob);
  await page.getByLabel('Choose a portal ID').fill(p.portalId);
  await page.getByLabel('Choose a password').fill('first-pass-1');
  await page.getByLabel('Password reset question').fill('Street I grew up on?');
  await page.getByLabel('Answer to your question').fill('Maple Lane');
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('status')).toContainText('Your account is ready');
}

test.describe('Forgotten password (A6)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The account forms run with JavaScript');

  test('a patient proves who they are, answers their question and picks a new password', async ({ portal, page }, testInfo) => {
    const patient = patients[testInfo.project.name];
    test.skip(!patient?.code, 'no activation code was issued for this project');
    await activate(portal, page, patient);

    await portal.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Forgot password' })).toBeVisible();
    await page.getByLabel('Portal ID').fill(patient.portalId);
    await page.getByLabel('Social Security number').fill('123-45-6789');
    await page.getByLabel('Date of birth').fill(patient.dob);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert')).toContainText('could not find an account');

    await page.getByLabel('Social Security number').fill(patient.ssn);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByText('Street I grew up on?')).toBeVisible();
    await page.getByLabel('Your answer').fill('maple lane');
    await page.getByLabel('New password').fill('second-pass-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status')).toContainText('Your password has been changed');

    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.getByLabel('Portal ID').fill(patient.portalId);
    await page.getByLabel('Password').fill('second-pass-2');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(`Signed in as ${patient.name}`)).toBeVisible();
  });
});
