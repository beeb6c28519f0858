export type OutboxChannel = 'sms' | 'email';

export interface OutboxMessage {
  channel: OutboxChannel;
  to: string;
  subject?: string;
  body: string;
  sentAt: string;
}

/** What the sandbox SMS and email providers delivered, kept in memory for developers and tests. */
export class Outbox {
  // Oldest first; a long-running dev stack keeps only the latest messages.
  readonly #messages: OutboxMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  record(message: Omit<OutboxMessage, 'sentAt'>, sentAt = new Date()): OutboxMessage {
    const stored: OutboxMessage = { ...message, sentAt: sentAt.toISOString() };
    this.#messages.push(stored);
    if (this.#messages.length > this.capacity) this.#messages.splice(0, this.#messages.length - this.capacity);
    return stored;
  }

  /** Newest first; with `to`, only the messages to that phone number or (case-insensitively) email address. */
  list(filter: { to?: string } = {}): OutboxMessage[] {
    const to = filter.to?.trim().toLowerCase();
    return this.#messages.filter((m) => to === undefined || m.to.toLowerCase() === to).reverse();
  }
}
