import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  contextTail,
  escapeHtml,
  formatProbability,
  oneLine,
  pickLabel,
  sharesOf,
  visibleToken,
} from '../../src/format';

test('formatProbability shows each case of the shared fixture as the server does', () => {
  // One source for both sides: tests/fixtures/probability-format/cases.json (the server's FormattingTests read it too).
  const fixture = JSON.parse(
    readFileSync(join(process.cwd(), 'tests/fixtures/probability-format/cases.json'), 'utf8'),
  ) as { cases: { p: number | string; text: string }[] };
  assert.ok(fixture.cases.length >= 10);
  for (const { p, text } of fixture.cases) assert.equal(formatProbability(Number(p)), text, `p = ${p}`);
});

test('sharesOf normalises log-probabilities even when their probabilities underflow', () => {
  const shares = sharesOf([-1000, -1000 - Math.log(3)]);
  assert.ok(Math.abs(shares[0] - 0.75) < 1e-12);
  assert.ok(Math.abs(shares[1] - 0.25) < 1e-12);
});

test('sharesOf gives -Infinity a zero share and handles all-impossible lists', () => {
  assert.deepEqual(sharesOf([0, Number.NEGATIVE_INFINITY]), [1, 0]);
  assert.deepEqual(sharesOf([Number.NEGATIVE_INFINITY]), [0]);
  assert.deepEqual(sharesOf([]), []);
});

test('oneLine makes line breaks and tabs visible without trimming spaces', () => {
  assert.equal(oneLine(' the end.\n\nNext\tline'), ' the end.⏎⏎Next⇥line');
  assert.equal(oneLine('a\r\nb'), 'a⏎b');
});

test('visibleToken marks spaces so " the" and "the" differ', () => {
  assert.equal(visibleToken(' the'), '␣the');
  assert.equal(visibleToken('the'), 'the');
  assert.equal(visibleToken('\n'), '⏎');
});

test('contextTail keeps the end of the text and marks the cut', () => {
  assert.equal(contextTail('short', 80), 'short');
  assert.equal(contextTail('abcdefghij', 5), '…ghij');
  assert.equal(contextTail('ab\ncd', 80), 'ab⏎cd');
});

test('escapeHtml escapes markup and quotes', () => {
  assert.equal(escapeHtml(`<b a="1" b='2'>&</b>`), '&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;&lt;/b&gt;');
});

test('pickLabel drops leading spaces, keeps the rest on one line, and shows whitespace-only text', () => {
  assert.equal(pickLabel(' he said.\nThen'), 'he said.⏎Then');
  assert.equal(pickLabel('   '), '␣␣␣');
  assert.equal(pickLabel('\n\n'), '⏎⏎');
  assert.equal(pickLabel(''), '(nothing)');
});
