import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBarChartHtml } from '../../src/barChart';

const base = { context: 'Call me', cspSource: 'vscode-webview://x', nonce: 'abc123' };

test('bars are sorted by probability and scaled to the most likely token', () => {
  const html = buildBarChartHtml({
    ...base,
    tokens: [
      { id: 7, text: ' a', probability: 0.1 },
      { id: 5, text: ' Ishmael', probability: 0.4 },
    ],
  });
  assert.ok(html.indexOf('␣Ishmael') < html.indexOf('␣a<'), 'most likely token first');
  assert.match(html, /#bar0 \{ width: 100\.0%; \}/);
  assert.match(html, /#bar1 \{ width: 25\.0%; \}/);
  assert.match(html, /<td class="bar"><div id="bar0"><\/div><\/td>/);
  assert.match(html, />40%</);
  assert.match(html, /These 2 tokens hold 50%/);
});

test('token text and context are escaped, never interpreted as markup', () => {
  const html = buildBarChartHtml({
    ...base,
    context: '<script>alert(1)</script>',
    tokens: [{ id: 1, text: '<img src=x>', probability: 0.5 }],
  });
  assert.doesNotMatch(html, /<script>|<img/);
  assert.match(html, /&lt;img␣src=x&gt;/);
});

test('the page allows no scripts and only its own nonce-tagged style', () => {
  const html = buildBarChartHtml({ ...base, tokens: [] });
  assert.match(html, /default-src 'none'; style-src vscode-webview:\/\/x 'nonce-abc123';/);
  assert.match(html, /<style nonce="abc123">/);
  assert.doesNotMatch(html, /<script/);
});

test('no element carries an inline style attribute, which the CSP would block', () => {
  const html = buildBarChartHtml({ ...base, tokens: [{ id: 1, text: 'a', probability: 0.5 }] });
  assert.doesNotMatch(html, /<[^>]+\sstyle=/);
});

test('an empty distribution says so instead of drawing an empty table', () => {
  assert.match(buildBarChartHtml({ ...base, tokens: [] }), /returned no tokens/);
});

test('the title shows the end of the context on one line', () => {
  assert.match(buildBarChartHtml({ ...base, context: 'Call me\nIshmael', tokens: [] }), /after “Call me⏎Ishmael”/);
});
