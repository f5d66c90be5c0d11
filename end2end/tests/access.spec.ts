import * as fs from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, PortalPage, test } from './fixtures/portal_page';
import { setUpCodeFor, totpNow } from './fixtures/totp';

// Who may see what (issue 14). .ci/test gives the demo's Maria Chen, Erin Brooks and Walter
// Brooks accounts (password riverbend7) before the portal starts. Maria is the parent of Sam (8:
// full access), Lily (15: limited since her 13th birthday) and Jordan (19: ended); Erin is
// Walter's adult proxy.

/** Signs a new desk staff member in (`.ci/test` creates them), enrolling their authenticator. */
async function signInDesk(desk: Page, username: string, javaScriptEnabled: boolean) {
  await desk.goto('/staff/sign-in');
  if (javaScriptEnabled) {
    await desk.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  }
  await desk.getByLabel('Username').fill(username);
  await desk.getByLabel('Password').fill('e2e desk password 2026');
  await desk.getByRole('button', { name: 'Continue' }).click();
  await desk.getByLabel('Set-up code').fill(setUpCodeFor(username));
  await desk.getByRole('button', { name: 'Set up' }).click();
  const key = await desk.getByLabel('Authenticator key').inputValue();
  await desk.getByLabel('Authenticator code').fill(totpNow(key));
  await desk.getByRole('button', { name: 'Verify' }).click();
  await desk.getByRole('link', { name: 'Continue to the desk' }).click();
  await desk.getByRole('link', { name: /Proxy desk/ }).click();
  await expect(desk.getByRole('heading', { level: 1, name: 'Proxy desk' })).toBeVisible();
}

function card(page: Page, name: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name }) });
}

test.describe('Acting for someone (P4, P5)', () => {
  test('a parent of an 8- and a 15-year-old sees what she may open for each, and why', async ({ portal, page }) => {
    await portal.signIn('maria.chen', 'Maria');
    await page.getByRole('link', { name: 'Records', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Records you can open' })).toBeVisible();
    if (portal.javaScriptEnabled) {
      await portal.waitForHydration();
    }

    const sam = card(page, 'Sam Chen');
    await expect(sam).toContainText('Sam is 8, so you have full access to their record.');
    await expect(sam.getByRole('link', { name: 'Personal information' })).toBeVisible();
    await expect(sam.getByRole('link', { name: 'Who viewed the record' })).toBeVisible();

    const lily = card(page, 'Lily Chen');
    await expect(lily).toContainText("access for parents and guardians is limited from a child's 13th birthday");
    await expect(lily).toContainText('You can still schedule their appointments');
    // Her appointments, immunizations and health reminders are all the record she opens (P5).
    await expect(lily.getByRole('link')).toHaveText(['Appointments', 'Immunizations', 'Health reminders']);

    const jordan = card(page, 'Jordan Chen');
    await expect(jordan).toContainText("ends on a child's 18th birthday");
    await expect(jordan).toContainText('You cannot open this record now.');
    await expectNoAxeViolations(page);

    await sam.getByRole('link', { name: 'Personal information' }).click();
    await expect(page.getByRole('heading', { level: 1, name: "Sam Chen's personal information" })).toBeVisible();
    await expect(page.getByText("You are viewing Sam Chen's record.")).toBeVisible();
    await expect(page.getByLabel('Street address')).toHaveValue(/River Road|Orchard/);
    // The email address is the child's own to change.
    await expect(page.getByText('Only Sam can change their email address')).toBeVisible();
    await expectNoAxeViolations(page);

    await page
      .getByRole('navigation', { name: "Sam's record" })
      .getByRole('link', { name: 'Who viewed the record' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: "Who viewed Sam Chen's record" })).toBeVisible();
    await expectNoAxeViolations(page);
  });
});

test.describe('Withdrawing a proxy (P2, P3)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'one withdrawal per demo: desktop and tablet');

  test('an adult withdraws her proxy, who loses access on the next click', async ({ browser, portal, page }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'Erin and Walter have one proxy grant to withdraw');
    await portal.signIn('erin.brooks', 'Erin');
    await portal.goto('/records');
    const walter = card(page, 'Walter Brooks');
    await expect(walter).toContainText('It expires on');
    await walter.getByRole('link', { name: 'Personal information' }).click();
    await expect(page.getByRole('heading', { level: 1, name: "Walter Brooks's personal information" })).toBeVisible();

    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: testInfo.project.use.viewport });
    const walterPage = await context.newPage();
    const walterPortal = new PortalPage(walterPage, testInfo);
    await walterPortal.signIn('walter.brooks', 'Walter');
    await walterPortal.goto('/record/who-can-view');
    await expect(walterPage.getByRole('heading', { level: 1, name: 'Who can view my record' })).toBeVisible();
    const erin = card(walterPage, 'Erin Brooks');
    await expect(erin).toContainText('Adult proxy');
    await expect(erin).toContainText('Full access, expires on');
    await expectNoAxeViolations(walterPage);
    await erin.getByRole('button', { name: "Withdraw Erin Brooks's access" }).click();
    await expect(walterPage.getByText('Access withdrawn. They can no longer see your record.')).toBeVisible();
    await expect(erin).toContainText('Withdrawn on');

    // Erin's very next click is refused, as for a record that is not there.
    await page
      .getByRole('navigation', { name: "Walter's record" })
      .getByRole('link', { name: 'Who can view the record' })
      .click();
    await expect(page.getByText('We could not find this record.')).toBeVisible();

    // Walter reads who looked at his record: Erin, as his adult proxy.
    await walterPage
      .getByRole('navigation', { name: 'Your record' })
      .getByRole('link', { name: 'Who viewed the record' })
      .click();
    await expect(walterPage.getByRole('heading', { level: 1, name: 'Who viewed my record' })).toBeVisible();
    await expect(walterPage.getByRole('row').filter({ hasText: 'Erin Brooks' }).first()).toContainText('adult proxy');
    await expectNoAxeViolations(walterPage);
    await context.close();
  });
});

// On tablet and without JavaScript, the desk first enters a paper adult-proxy form, so each
// project has a grant of its own to withdraw (.ci/test creates e2e-desk-10 and 11).
type Person = { portalId: string; given: string; name: string; mrn: string; dob: string };
const maria: Person = { portalId: 'maria.chen', given: 'Maria', name: 'Maria Chen', mrn: 'RB100002', dob: '1984-03-09' };
const walter: Person = { portalId: 'walter.brooks', given: 'Walter', name: 'Walter Brooks', mrn: 'RB100007', dob: '1941-11-02' };
const erin: Person = { portalId: 'erin.brooks', given: 'Erin', name: 'Erin Brooks', mrn: 'RB100008', dob: '1972-05-21' };
const withdrawals: Record<string, { desk: string; proxy: Person; patient: Person }> = {
  tablet: { desk: 'e2e-desk-10', proxy: maria, patient: walter },
  'no-javascript': { desk: 'e2e-desk-11', proxy: walter, patient: erin },
};

test.describe('A paper proxy form, then withdrawn (P2, P3)', () => {
  test('the desk enters an adult proxy form; the patient withdraws it and the proxy loses access on the next click', async ({ browser, portal, page }, testInfo) => {
    const c = withdrawals[testInfo.project.name];
    test.skip(!c, 'desktop withdraws the demo proxy above');
    test.setTimeout(120_000);
    const { baseURL, viewport, hasTouch, isMobile, javaScriptEnabled } = testInfo.project.use;
    const withScript = javaScriptEnabled !== false;
    const context = () => browser.newContext({ baseURL, viewport, hasTouch, isMobile, javaScriptEnabled });

    const deskContext = await context();
    const desk = await deskContext.newPage();
    await signInDesk(desk, c.desk, withScript);
    const paper = desk.getByRole('region', { name: 'Enter a paper proxy form' });
    await paper.getByLabel('Adult proxy, signed by the patient').check();
    await paper.getByLabel("Requester's record number").fill(c.proxy.mrn);
    await paper.getByLabel("Requester's date of birth").fill(c.proxy.dob);
    await paper.getByLabel("Patient's record number").fill(c.patient.mrn);
    await paper.getByLabel("Patient's date of birth").fill(c.patient.dob);
    await paper.getByLabel("I checked the requester's identity and the form").check();
    await paper.getByRole('button', { name: 'Enter the form' }).click();
    await expect(paper.getByRole('status')).toContainText(`Entered: ${c.proxy.name} has adult proxy access to ${c.patient.name}'s record`);
    await deskContext.close();

    // The proxy opens the patient's record.
    await portal.signIn(c.proxy.portalId, c.proxy.given);
    await portal.goto('/records');
    await card(page, c.patient.name).getByRole('link', { name: 'Personal information' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `${c.patient.name}'s personal information` })).toBeVisible();

    // The patient withdraws it.
    const patientContext = await context();
    const patientPage = await patientContext.newPage();
    const patientPortal = new PortalPage(patientPage, testInfo);
    await patientPortal.signIn(c.patient.portalId, c.patient.given);
    await patientPortal.goto('/record/who-can-view');
    if (withScript) {
      await patientPortal.waitForHydration();
    }
    const proxy = card(patientPage, c.proxy.name);
    await expect(proxy).toContainText('Full access, expires on');
    await proxy.getByRole('button', { name: `Withdraw ${c.proxy.name}'s access` }).click();
    await expect(patientPage.getByText('Access withdrawn. They can no longer see your record.')).toBeVisible();
    await expect(card(patientPage, c.proxy.name)).toContainText('Withdrawn on');
    await expectNoAxeViolations(patientPage);
    await patientContext.close();

    // The proxy's very next click is refused, as for a record that is not there.
    await page
      .getByRole('navigation', { name: `${c.patient.given}'s record` })
      .getByRole('link', { name: 'Who can view the record' })
      .click();
    await expect(page.getByText('We could not find this record.')).toBeVisible();
  });
});

test.describe('Proxy requests and the proxy desk (P1, P2)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'one request per demo: desktop');

  test('an adult asks for another adult’s record, who agrees, and the desk approves it', async ({ browser, portal, page }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'Maria asks once for Erin’s record');
    test.setTimeout(120_000);
    const { baseURL, viewport } = testInfo.project.use;

    // Maria asks, from her Records page.
    await portal.signIn('maria.chen', 'Maria');
    await portal.goto('/records');
    const ask = page.getByRole('region', { name: "Ask for access to someone's record" });
    await ask.getByLabel('An adult the other adult has agreed to let help them').check();
    await ask.getByLabel('Their record number').fill('RB100008');
    await ask.getByLabel('Their date of birth').fill('1972-05-21');
    await ask.getByRole('button', { name: 'Send the request' }).click();
    await expect(page.getByText('The person needs to agree from their own account')).toBeVisible();
    await expect(page.getByText('Waiting for the other person to agree')).toBeVisible();
    await expectNoAxeViolations(page);

    // Erin agrees from her own account.
    const erinContext = await browser.newContext({ baseURL, viewport });
    const erinPage = await erinContext.newPage();
    const erinPortal = new PortalPage(erinPage, testInfo);
    await erinPortal.signIn('erin.brooks', 'Erin');
    await erinPortal.goto('/records');
    await expect(erinPage.getByRole('heading', { level: 2, name: 'Requests for your record' })).toBeVisible();
    await expectNoAxeViolations(erinPage);
    await erinPage.getByRole('button', { name: 'Agree: give Maria Chen access' }).click();
    // Until the desk decides, she can take it back.
    await expect(erinPage.getByRole('button', { name: 'Take back my agreement to Maria Chen' })).toBeVisible();
    await erinContext.close();

    // The front desk checks Maria's identity and approves.
    const deskContext = await browser.newContext({ baseURL, viewport });
    const desk = await deskContext.newPage();
    await signInDesk(desk, 'e2e-desk-6', true);
    const request = desk
      .getByRole('listitem')
      .filter({ has: desk.getByRole('heading', { name: "Maria Chen asks to be Erin Brooks's adult proxy" }) });
    await expect(request).toContainText('The patient agreed from their own account.');
    await expectNoAxeViolations(desk);
    await request.getByLabel("I checked the requester's identity and their relationship to the patient").check();
    await request.getByLabel('Approve').check();
    await request.getByRole('button', { name: 'Record the decision' }).click();
    await expect(desk.getByText('Approved. The requester has access from today')).toBeVisible();
    await deskContext.close();

    // Maria now has Erin's record among hers.
    await portal.goto('/records');
    await expect(card(page, 'Erin Brooks')).toContainText("You have full access to Erin's record.");
  });
});

// A legal guardian's request with the court order (P7). Each project has its own ward and desk
// staff member (.ci/test creates e2e-desk-7 to 9), so the three run side by side; Erin Brooks is
// the guardian in each.
const guardianships: Record<string, { ward: string; mrn: string; dob: string; desk: string }> = {
  desktop: { ward: 'Grace Kim', mrn: 'RB100009', dob: '1995-09-30', desk: 'e2e-desk-7' },
  tablet: { ward: 'Nora Patel', mrn: 'RB100011', dob: '1990-04-12', desk: 'e2e-desk-8' },
  'no-javascript': { ward: 'Ben Ortiz', mrn: 'RB100012', dob: '1966-10-30', desk: 'e2e-desk-9' },
};

test.describe('A legal guardian and the court order (P7)', () => {
  test('a guardian sends the court order, and the desk opens it and approves', async ({ browser, portal, page }, testInfo) => {
    const c = guardianships[testInfo.project.name];
    test.skip(!c, 'one ward per project');
    test.setTimeout(120_000);
    const { baseURL, viewport, hasTouch, isMobile, javaScriptEnabled } = testInfo.project.use;
    const withScript = javaScriptEnabled !== false;

    await portal.signIn('erin.brooks', 'Erin');
    await portal.goto('/records');
    if (withScript) {
      await portal.waitForHydration();
    }
    const form = page.getByRole('region', { name: 'Legal guardians: send the court order' });
    await form.getByLabel('Their record number').fill(c.mrn);
    await form.getByLabel('Their date of birth').fill(c.dob);
    await form.getByLabel('The day the order ends (optional)').fill('2031-01-31');
    // A program renamed .pdf is refused by its bytes; the typed fields stay.
    await form.getByLabel('The court order').setInputFiles({
      name: 'order.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('MZ this is not a PDF'),
    });
    await form.getByRole('button', { name: 'Send the request and the order' }).click();
    await expect(form.getByRole('alert')).toContainText('must be a PDF, JPEG or PNG');
    await expect(form.getByLabel('Their record number')).toHaveValue(c.mrn);
    await form.getByLabel('Their date of birth').fill(c.dob);
    await form.getByLabel('The day the order ends (optional)').fill('2031-01-31');
    await form.getByLabel('The court order').setInputFiles({
      name: 'court-order.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% a court order for the browser tests\n%%EOF\n'),
    });
    await form.getByRole('button', { name: 'Send the request and the order' }).click();
    await expect(form.getByRole('status')).toContainText('Your request and the court order were sent');
    await expect(page.getByRole('region', { name: 'Your requests' })).toContainText('(legal guardian), asked on');
    await expectNoAxeViolations(page);

    // The desk opens the order and approves the request.
    const deskContext = await browser.newContext({ baseURL, viewport, hasTouch, isMobile, javaScriptEnabled, acceptDownloads: true });
    const desk = await deskContext.newPage();
    await signInDesk(desk, c.desk, withScript);
    const request = desk
      .getByRole('listitem')
      .filter({ has: desk.getByRole('heading', { name: `Erin Brooks asks to be ${c.ward}'s legal guardian` }) });
    await expect(request).toContainText('The order ends on');
    const [download] = await Promise.all([
      desk.waitForEvent('download'),
      request.getByRole('link', { name: /Open the court order \(PDF, 1 KB\)/ }).click(),
    ]);
    const path = await download.path();
    expect(fs.readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    await expectNoAxeViolations(desk);
    await request.getByLabel("I checked the requester's identity and their relationship to the patient").check();
    await request.getByLabel('Approve').check();
    await request.getByRole('button', { name: 'Record the decision' }).click();
    await expect(desk.getByText('Approved. The requester has access from today')).toBeVisible();
    await deskContext.close();

    // Erin now has the ward's record among hers, until the order ends.
    await portal.goto('/records');
    const ward = card(page, c.ward);
    await expect(ward).toContainText('Legal guardian');
    await expect(ward.getByRole('link', { name: 'Personal information' })).toBeVisible();
  });
});
