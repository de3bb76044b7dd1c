import { type Locator, type Page, expect } from '@playwright/test';

/** The comment form and thread on a post page. */
export class CommentSection {
  readonly form: Locator;
  readonly heading: Locator;
  readonly name: Locator;
  readonly email: Locator;
  readonly body: Locator;
  readonly remember: Locator;
  readonly submit: Locator;
  /** The form's own notice ("Thank you! …"). */
  readonly notice: Locator;
  readonly cancelReply: Locator;
  readonly thread: Locator;
  /** Announcements about the thread (a reply started or cancelled, an own comment changed). */
  readonly announcer: Locator;

  constructor(readonly page: Page) {
    this.form = page.locator('#comment-form');
    this.heading = this.form.getByRole('heading');
    // By role, so the "Save my name and email…" checkbox's label does not match too.
    this.name = this.form.getByRole('textbox', { name: 'Name' });
    this.email = this.form.getByRole('textbox', { name: 'Email' });
    this.body = this.form.getByRole('textbox', { name: 'Comment' });
    this.remember = this.form.getByRole('checkbox', { name: /Save my name and email/ });
    this.submit = this.form.getByRole('button', { name: /Post (comment|reply)/ });
    this.notice = this.form.getByRole('status');
    this.cancelReply = this.form.getByRole('link', { name: 'Cancel reply' });
    this.thread = page.locator('#comments > .comment-list');
    this.announcer = page.locator('#comments-announcer');
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

  /** The Reply link under a comment by `authorName`. */
  replyTo(authorName: string): Locator {
    return this.page.getByRole('link', { name: `Reply to ${authorName}` });
  }

  /** The list item of comment `id`: its article, then (while answering it) the form, then its replies. */
  item(id: number | string): Locator {
    return this.page.locator(`li:has(> #comment-${id})`);
  }

  /** Edit and delete on a reader's own comment, and the edit box that replaces its text. */
  own(comment: Locator) {
    return {
      edit: comment.getByRole('button', { name: 'Edit' }),
      remove: comment.getByRole('button', { name: 'Delete' }),
      editBox: comment.getByRole('textbox', { name: 'Edit your comment' }),
      save: comment.getByRole('button', { name: 'Save' }),
      cancel: comment.getByRole('button', { name: 'Cancel' }),
    };
  }
}
