// End-to-end test of the packaged extension in a real VS Code (code-server) driven in Debian's Chromium.
// client/test/run.sh starts code-server with the .vsix installed and passes, in the environment:
//   E2E_URL (code-server's address), E2E_WORKSPACE (folder it opened), E2E_ARTIFACTS (screenshots go here),
//   E2E_CHROME_PROFILE (an empty folder for Chromium's profile).
// Every wait is for a condition in the page, bounded by a timeout; there are no fixed sleeps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BrowserContext, Locator, Page, chromium } from 'playwright-core';

const url = required('E2E_URL');
const workspace = required('E2E_WORKSPACE');
const artifacts = required('E2E_ARTIFACTS');
const profile = required('E2E_CHROME_PROFILE');
const notes = join(workspace, 'notes.md');

const modifier = 'Control';
let context: BrowserContext;
let page: Page;
let shot = 0;
/** Set by the first test; the others need a running server and fail at once without one. */
let serverReady = false;

function needServer(): void {
  assert.ok(serverReady, 'the server never became ready (see the first test)');
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run client/test/run.sh`);
  return value;
}

async function screenshot(name: string): Promise<string> {
  const file = join(artifacts, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
  return file;
}

/** The editor of notes.md (the one with keyboard focus once opened). */
function editor(): Locator {
  return page.locator('.editor-instance .monaco-editor[data-uri$="notes.md"]').first();
}

async function runCommand(title: string): Promise<void> {
  await editor().click({ position: { x: 5, y: 5 }, trial: true }); // the editor must be there to receive commands
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await input.press('Enter');
}

function dirtyTab(): Locator {
  return page.locator('.tabs-container .tab.dirty', { hasText: 'notes.md' });
}

/**
 * Returns notes.md's text on disk, the document's real content free of rendering details, saving it first when it has
 * unsaved edits. A clean file is read as it is: VS Code writes even an unchanged file on an explicit save, and with no
 * dirty marker to wait for, a read could race that write and see a half-written file (a CI run once read it without
 * its blank).
 */
async function savedText(): Promise<string> {
  if ((await dirtyTab().count()) > 0) {
    await page.keyboard.press(`${modifier}+s`);
    await dirtyTab().waitFor({ state: 'detached', timeout: 15_000 });
  }
  return readFileSync(notes, 'utf8');
}

/** Waits until an edit the extension makes (after a quick pick) has reached the document, then returns the saved text. */
async function savedTextAfterEdit(what: string): Promise<string> {
  try {
    await dirtyTab().waitFor({ state: 'attached', timeout: 30_000 });
  } catch (error) {
    throw new Error(`${what}: the document was never changed (${String(error)})`, { cause: error });
  }
  return savedText();
}

/** Waits for the quick pick titled `title` to show its rows; returns it with the rows' labels, in order. */
async function quickPick(title: string): Promise<{ picker: Locator; labels: string[] }> {
  const picker = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  const rows = picker.locator('.monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 90_000 });
  return { picker, labels: await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')) };
}

/** Accepts the highlighted row of `picker` and returns the saved text once the extension's edit has reached it. */
async function acceptPick(picker: Locator, what: string): Promise<string> {
  await page.keyboard.press('Enter');
  await picker.waitFor({ state: 'hidden' });
  return savedTextAfterEdit(what);
}

before(async () => {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
});

after(async () => {
  if (page) await page.screenshot({ path: join(artifacts, 'last.png') }).catch(() => undefined);
  await context?.close();
});

test(
  'opening a Markdown file activates the extension, which starts the server and shows its status',
  { timeout: 180_000 },
  async () => {
    // Quick open (Ctrl+P) the file, as a person would.
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible' });
    await page.keyboard.press(`${modifier}+p`);
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('notes.md');
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'notes.md' })
      .first()
      .waitFor({ state: 'visible' });
    await input.press('Enter');
    await editor().waitFor({ state: 'visible', timeout: 30_000 });

    const status = page.locator('.part.statusbar [aria-label^="TransformerLsp"]').first();
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    // The server loads the bundled model and reports "ready" through transformerLsp/status.
    const ready = page.locator('.part.statusbar [aria-label^="TransformerLsp: ready"]').first();
    try {
      await ready.waitFor({ state: 'visible', timeout: 120_000 });
    } catch (error) {
      console.log(`status bar says: ${await status.getAttribute('aria-label')}`);
      throw error;
    }
    console.log(`status bar: ${await ready.getAttribute('aria-label')}`);
    serverReady = true;
    await screenshot('status-bar-ready');
  },
);

test('typing shows ghost text from the model', { timeout: 120_000 }, async () => {
  needServer();
  await editor().locator('.view-lines').click();
  await page.keyboard.press(`${modifier}+End`);
  await page.keyboard.type('\nThe sea was calm and the ship', { delay: 40 });
  const ghost = editor().locator('.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text').first();
  await ghost.waitFor({ state: 'attached', timeout: 60_000 });
  console.log(
    `ghost text: ${JSON.stringify(await editor().locator('.ghost-text-decoration, .ghost-text').allTextContents())}`,
  );
  await screenshot('ghost-text');
  await page.keyboard.press('Escape');
});

test('the completion list shows the model suggestions', { timeout: 120_000 }, async () => {
  needServer();
  await page.keyboard.type(' ', { delay: 40 });
  await page.keyboard.press('Escape'); // dismiss ghost text so the list is the only suggestion UI
  await page.keyboard.press(`${modifier}+Space`);
  const widget = page.locator('.editor-widget.suggest-widget.visible');
  await widget.waitFor({ state: 'visible', timeout: 60_000 });
  const rows = widget.locator('.monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
  const labels = await rows.evaluateAll((els) =>
    els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
  );
  console.log(`completion rows: ${JSON.stringify(labels.slice(0, 8))}`);
  // The model's items show their probability ("12%"); snippets and word-based suggestions are off in this profile.
  assert.ok(labels.filter((l) => /\d%/.test(l)).length >= 2, 'the list holds the model suggestions with probabilities');
  await screenshot('completion-list');
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden' });
});

test('a hover on a word shows the model alternatives', { timeout: 120_000 }, async () => {
  needServer();
  // The first line is "Call me Ishmael."; hover over "Ishmael".
  const firstLine = editor().locator('.view-line').first();
  await firstLine.waitFor({ state: 'visible' });
  const word = firstLine.locator('span span', { hasText: 'Ishmael' }).first();
  const box = (await word.boundingBox()) ?? (await firstLine.boundingBox());
  assert.ok(box, 'the first line is on screen');
  const text = (await word.textContent()) ?? '';
  const at = Math.max(0, text.indexOf('Ishmael'));
  const charWidth = box.width / Math.max(1, text.length);
  await page.mouse.move(box.x + (at + 3) * charWidth, box.y + box.height / 2);
  // The hover fills in part by part (a diagnostic's message may come first): wait for the model's alternatives.
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: /alternative/i }).first();
  await hover.waitFor({ state: 'visible', timeout: 60_000 });
  const content = (await hover.innerText()).trim();
  console.log(`hover: ${JSON.stringify(content.slice(0, 300))}`);
  assert.ok(content.length > 0, 'the hover has content');
  assert.match(content, /alternative/i, 'the hover lists alternatives');
  assert.match(content, /\d%/, 'the hover shows probabilities');
  await screenshot('hover-alternatives');
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
});

test('the beam-search quick pick inserts the chosen continuation', { timeout: 180_000 }, async () => {
  needServer();
  await editor().locator('.view-lines').click();
  await page.keyboard.press(`${modifier}+End`);
  const before = await savedText();
  await runCommand('Suggest continuations (beam search)');
  const { picker, labels } = await quickPick('TransformerLsp: continuations (beam search)');
  console.log(`beams: ${JSON.stringify(labels)}`);
  assert.ok(labels.length >= 2, 'several beams are offered');
  assert.ok(
    labels.every((l) => /%|e−\d/.test(l)),
    'each beam shows its probability',
  );
  await screenshot('beam-search-quick-pick');
  const afterText = await acceptPick(picker, 'the beam pick');
  console.log(`inserted: ${JSON.stringify(afterText.slice(before.length))}`);
  assert.ok(afterText.startsWith(before), 'the text before the cursor is kept');
  assert.ok(afterText.length > before.length, 'the continuation was inserted');
  const first = labels[0];
  const inserted = afterText.slice(before.length).replace(/\r?\n/g, '⏎').replace(/\t/g, '⇥').trim();
  assert.ok(first.includes(inserted), `the inserted text "${inserted}" is the first beam "${first}"`);
  await screenshot('beam-inserted');
});

test('Fill blank replaces the blank with a ranked candidate', { timeout: 180_000 }, async () => {
  needServer();
  const before = await savedText();
  assert.ok(before.includes('___'), `the sample has a blank: ${JSON.stringify(before)}`);
  // Put the caret on the line with the blank.
  const blankLine = editor().locator('.view-line', { hasText: '___' }).first();
  await blankLine.click();
  await runCommand('Fill blank');
  const { picker, labels } = await quickPick('TransformerLsp: fill the blank');
  console.log(`candidates: ${JSON.stringify(labels.slice(0, 8))}`);
  assert.ok(labels.length >= 1, 'candidates are offered');
  await screenshot('fill-blank-quick-pick');
  const afterText = await acceptPick(picker, 'the fill-in pick');
  assert.ok(!afterText.includes('___'), 'the blank was filled');
});

test('Show next-token distribution draws a bar chart', { timeout: 120_000 }, async () => {
  needServer();
  await editor().locator('.view-lines').click();
  await page.keyboard.press(`${modifier}+End`);
  await runCommand('Show next-token distribution');
  // Webview content lives in nested iframes.
  const bars = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('td.bar div');
  await bars.first().waitFor({ state: 'visible', timeout: 90_000 });
  const count = await bars.count();
  console.log(`next-token bars: ${count}`);
  assert.ok(count >= 2, 'several tokens are charted');
  // Bars are scaled to the likeliest token (this fails if the webview's CSP blocked the chart's styles).
  const widths = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  console.log(`bar widths: ${JSON.stringify(widths.map((w) => Math.round(w)))}`);
  assert.ok(widths[0] > widths[widths.length - 1], 'the likeliest token has the longest bar');
  await screenshot('next-token-distribution');
});

test('Restart server brings up a new server that answers', { timeout: 180_000 }, async () => {
  needServer();
  await editor().locator('.view-lines').click();
  const log = await outputLogLines();
  await runCommand('TransformerLsp: Restart server');
  // The client logs each start in its output channel; wait for a second "starting" line, then for "ready".
  await waitFor(
    async () =>
      (await outputLogLines()).filter((l) => l.includes('starting ')).length >
      log.filter((l) => l.includes('starting ')).length,
    60_000,
    'the server was started again',
  );
  // The new server's own "ready" line: the status bar still says "ready" from the old server until the new one reports
  // loading, and a completion asked for before its model has loaded is answered empty.
  const readyLines = (lines: string[]) => lines.filter((l) => /transformer-lsp: model .* ready on /.test(l)).length;
  await waitFor(
    async () => readyLines(await outputLogLines()) > readyLines(log),
    120_000,
    'the new server loaded its model',
  );
  await page
    .locator('.part.statusbar [aria-label^="TransformerLsp: ready"]')
    .first()
    .waitFor({ state: 'visible', timeout: 120_000 });
  await page.keyboard.press(`${modifier}+End`);
  await page.keyboard.type('\nShe looked at the ', { delay: 40 });
  await page.keyboard.press('Escape');
  await page.keyboard.press(`${modifier}+Space`);
  const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
  const labels = await rows.evaluateAll((els) =>
    els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
  );
  assert.ok(
    labels.some((l) => /\d%/.test(l)),
    'the new server answers completions',
  );
  await screenshot('after-restart');
  await page.keyboard.press('Escape');
});

/** The client's output channel log (TransformerLsp.log under the user-data folder's logs). */
async function outputLogLines(): Promise<string[]> {
  const logs = process.env.E2E_VSCODE_LOGS;
  assert.ok(logs, 'E2E_VSCODE_LOGS is not set');
  const { readdirSync, statSync } = await import('node:fs');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name === 'TransformerLsp.log') found.push(file);
    }
  };
  walk(logs);
  return found.flatMap((file) => readFileSync(file, 'utf8').split('\n'));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
