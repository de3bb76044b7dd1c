import type { Browser, BrowserContextOptions, Page } from '@playwright/test';
import { type Account, createAuthor } from './accounts';
import { expect, test } from './fixtures';

/*
 * The Account page: a password change through the form (with script and without), and signing out
 * of the other sessions. Each test has an author of its own, and its own client address (the server
 * trusts X-Forwarded-For from loopback), so its wrong passwords count against no other spec.
 */

// Each test makes an account with the CLI and checks passwords with scrypt several times: slow on a busy machine.
test.slow();

async function openContext(browser: Browser, baseURL: string | undefined, address: string, options: BrowserContextOptions = {}) {
  return browser.newContext({ ...options, baseURL, extraHTTPHeaders: { 'X-Forwarded-For': address } });
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(page: Page, account: Account, password = account.password) {
  await signIn(page, account.email, password);
  await expect(page).toHaveURL(/\/admin\/posts$/);
}

/** The account signed in in two browsers: `page` here, `other` elsewhere. */
async function signedInTwice(browser: Browser, baseURL: string | undefined, address: string, account: Account) {
  const here = await openContext(browser, baseURL, address);
  const elsewhere = await openContext(browser, baseURL, address);
  const page = await here.newPage();
  const other = await elsewhere.newPage();
  await signedIn(other, account);
  await signedIn(page, account);
  return { here, elsewhere, page, other };
}

test('the author changes the password on the Account page, which signs out every other session', async ({ browser, baseURL, unique }) => {
  const account = await createAuthor(unique);
  const newPassword = `second password ${unique}`;
  const { here, elsewhere, page, other } = await signedInTwice(browser, baseURL, '198.51.100.21', account);

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  await expect(page.locator('.account-details')).toContainText(account.email);
  await expect(page.getByText('You are signed in on 2 browsers')).toBeVisible();

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#currentPassword-error')).toHaveText('The current password is not right.');
  await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password').fill('too short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#newPassword-error')).toHaveText('New password must be at least 12 characters.');

  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toHaveText(
    'Password changed. Every other session is signed out.',
  );
  await expect(page.getByText('You are signed in on this browser only.')).toBeVisible();

  // The other browser is signed out; this one stays signed in (with a new session).
  await other.goto('/admin/account');
  await expect(other).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Faccount$/);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();

  // Only the new password signs in.
  await signIn(other, account.email, account.password);
  await expect(other.locator('#password-error')).toHaveText('The email or password is not right.');
  await signedIn(other, account, newPassword);
  await here.close();
  await elsewhere.close();
});

test('signing out of all other sessions keeps this one', async ({ browser, baseURL, unique }) => {
  const account = await createAuthor(unique);
  const { here, elsewhere, page, other } = await signedInTwice(browser, baseURL, '198.51.100.22', account);
  await page.goto('/admin/account');
  await page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Signed out' })).toHaveText('Signed out of 1 other session.');
  await expect(page.getByText('You are signed in on this browser only.')).toBeVisible();
  await other.goto('/admin/account');
  await expect(other).toHaveURL(/\/admin\/sign-in/);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  await here.close();
  await elsewhere.close();
});

test('without JavaScript the password form posts and comes back with the error or the news', async ({ browser, baseURL, unique }) => {
  const account = await createAuthor(unique);
  const context = await openContext(browser, baseURL, '198.51.100.23', { javaScriptEnabled: false });
  const page = await context.newPage();
  await signedIn(page, account);
  await page.goto('/admin/account');
  // Signing out elsewhere needs script (the API takes DELETE): the button says so by being disabled.
  await expect(page.getByRole('button', { name: 'Sign out of all other sessions' })).toBeDisabled();

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/admin\/account\?error=validation&fields=newPassword$/);
  await expect(page.locator('#newPassword-error')).toContainText('at least 12 characters');

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password').fill(`second password ${unique}`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/admin\/account\?passwordChanged=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  await context.close();
});
