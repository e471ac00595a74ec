// A complete Draft (src/compose/draft.ts) for tests, with overrides.
import type { Draft } from '../../src/compose/draft.js';

export function draft(overrides: Partial<Draft> = {}): Draft {
  return {
    from: { name: 'Alice Example', address: 'alice@example.org' },
    to: [{ name: 'Bob', address: 'bob@example.org' }],
    cc: [],
    bcc: [],
    subject: 'Quarterly numbers',
    html: null,
    text: 'Hello Bob,\nthe numbers: 42.\n',
    inlineImages: [],
    attachments: [],
    kind: 'new',
    inReplyTo: null,
    references: [],
    importance: 'normal',
    ...overrides,
  };
}
