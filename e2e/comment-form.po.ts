import { type Locator, type Page, expect } from '@playwright/test';

/** The comment form and thread on a post page. */
export class CommentSection {
  readonly form: Locator;
  readonly name: Locator;
  readonly email: Locator;
  readonly body: Locator;
  readonly submit: Locator;
  readonly thread: Locator;

  constructor(readonly page: Page) {
    this.form = page.locator('#comment-form');
    this.name = this.form.getByLabel('Name');
    this.email = this.form.getByLabel('Email');
    this.body = this.form.getByLabel('Comment');
    this.submit = this.form.getByRole('button', { name: /Post (comment|reply)/ });
    this.thread = page.locator('#comments > .comment-list');
  }

  /** The client component marks the form `novalidate` once it has hydrated and takes over submission. */
  async enhanced() {
    await expect(this.form).toHaveAttribute('novalidate', '');
    return this;
  }

  async write(name: string, body: string) {
    await this.name.fill(name);
    await this.body.fill(body);
    await this.submit.click();
  }

  comment(text: string): Locator {
    return this.page.locator('article.comment', { hasText: text });
  }
}
