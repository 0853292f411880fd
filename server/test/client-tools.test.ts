import { describe, expect, it } from 'vitest';
import { nextToolCall, withLink, withToolResults } from '../src/pipeline/client-tools.js';
import type { TurnContext } from '../src/pipeline/messages.js';

const page = { name: 'current_page', description: 'The page', refersTo: ['this page', 'this'] };

describe('client tools in a turn', () => {
  it('asks for the longest phrase said, once; words it covered are not asked again', () => {
    const context: TurnContext = { clientTools: [page] };
    expect(nextToolCall('Add this page to my reading list', context)).toEqual({ name: 'current_page', phrase: 'this page' });
    const answered: TurnContext = { ...context, toolResults: [{ name: 'current_page', phrase: 'this page', result: { title: 'Ownership' } }] };
    expect(nextToolCall('Add this page to my reading list', answered)).toBeUndefined();
    // A second, separate mention is its own call.
    expect(nextToolCall('compare this page with this', answered)).toEqual({ name: 'current_page', phrase: 'this' });
  });

  it('needs whole words, and stops after two calls', () => {
    expect(nextToolCall('add thistle seeds', { clientTools: [page] })).toBeUndefined();
    const two: TurnContext = {
      clientTools: [page],
      toolResults: [{ name: 'a', phrase: 'x y' }, { name: 'b', phrase: 'z w' }],
    };
    expect(nextToolCall('add this page', two)).toBeUndefined();
  });

  it("reads the page's answer in the phrase's place and keeps its link", () => {
    const context: TurnContext = { toolResults: [{ name: 'current_page', phrase: 'this page', result: { title: 'Ownership "in" Rust\n', url: 'https://doc.example/own' } }] };
    const { text, link } = withToolResults('Add this page to my reading list', context);
    expect(text).toBe("Add Ownership 'in' Rust to my reading list");
    expect(link).toBe('https://doc.example/own');
    expect(withLink({ kind: 'task', action: 'create', title: 'x' }, link)).toMatchObject({ notes: 'https://doc.example/own' });
    // A failed call leaves the words as said; a non-http link is not kept.
    expect(withToolResults('read this', { toolResults: [{ name: 'p', phrase: 'this', error: 'no' }] })).toEqual({ text: 'read this' });
    expect(withToolResults('read this', { toolResults: [{ name: 'p', phrase: 'this', result: { title: 'T', url: 'javascript:alert(1)' } }] })).toEqual({ text: 'read T' });
  });
});
