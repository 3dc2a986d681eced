import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findBlankNear, findBlanks } from '../../src/blank';

const markers = ['___', '[MASK]'];

/** Input with a caret marker "|": returns the text without it and the caret's offset. */
function caret(input: string): { text: string; offset: number } {
  const offset = input.indexOf('|');
  assert.ok(offset >= 0, 'test input needs a | caret');
  return { text: input.slice(0, offset) + input.slice(offset + 1), offset };
}

function blankText(input: string): string | undefined {
  const { text, offset } = caret(input);
  const r = findBlankNear(text, offset, markers);
  return r && `${text.slice(0, r.start)}«${text.slice(r.start, r.end)}»${text.slice(r.end)}`;
}

test('findBlanks finds every marker of every kind', () => {
  assert.deepEqual(findBlanks('a ___ b [MASK] c', markers), [
    { start: 2, end: 5 },
    { start: 8, end: 14 },
  ]);
});

test('a longer run of a repeated-character marker is one blank', () => {
  assert.deepEqual(findBlanks('x _____ y', markers), [{ start: 2, end: 7 }]);
  assert.deepEqual(findBlanks('x __ y', markers), []);
});

test('overlapping markers keep the longer match', () => {
  assert.deepEqual(findBlanks('[___]', ['___', '[___]']), [{ start: 0, end: 5 }]);
});

test('markers with regular-expression characters match literally', () => {
  assert.deepEqual(findBlanks('a [MASK] b MASK', ['[MASK]']), [{ start: 2, end: 8 }]);
  assert.deepEqual(findBlanks('a.*b', ['.*']), [{ start: 1, end: 3 }]);
});

test('empty markers are ignored', () => {
  assert.deepEqual(findBlanks('abc', ['']), []);
});

test('the blank under the caret wins, touching either end counts', () => {
  assert.equal(blankText('The ___ sat on the [M|ASK].'), 'The ___ sat on the «[MASK]».');
  assert.equal(blankText('The |___ sat on the [MASK].'), 'The «___» sat on the [MASK].');
  assert.equal(blankText('The ___| sat on the [MASK].'), 'The «___» sat on the [MASK].');
});

test('without a blank under the caret, the nearest on the same line wins', () => {
  assert.equal(blankText('The ___ sat | on the [MASK].'), 'The «___» sat  on the [MASK].');
  assert.equal(blankText('The ___ sat on t|he [MASK].'), 'The ___ sat on the «[MASK]».');
});

test('a blank on the caret line beats a nearer one on another line', () => {
  assert.equal(blankText('a ___\nb|                     ___'), 'a ___\nb                     «___»');
});

test('with no blank on the caret line, the nearest in the document wins', () => {
  assert.equal(blankText('one ___\ntwo\nthree\nfour|\nfive ___'), 'one ___\ntwo\nthree\nfour\nfive «___»');
  assert.equal(blankText('one ___\nthree|\nfour\nfive\nsix ___'), 'one «___»\nthree\nfour\nfive\nsix ___');
});

test('no blank anywhere gives undefined', () => {
  assert.equal(blankText('Nothing| to fill here.'), undefined);
});
