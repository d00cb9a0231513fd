// Driving VS Code's workbench (code-server) in Debian's Chromium with playwright-core: the command
// palette, the editor, notifications, and the QED Proof panel's webview.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.QED_E2E_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws with `what` after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      if (error?.fatal) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

export class Workbench {
  constructor(page) {
    this.page = page;
  }

  static async open(browser, url, { viewport = { width: 1400, height: 900 } } = {}) {
    const page = await browser.newPage({ viewport });
    const workbench = new Workbench(page);
    page.on('console', (message) => {
      if (message.type() === 'error') workbench.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => workbench.consoleErrors.push(String(error)));
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return workbench;
  }

  consoleErrors = [];

  /** Opens the quick input in command mode and runs the command whose label is `title`. */
  async runCommand(title, { timeoutMs = 30_000 } = {}) {
    const page = this.page;
    await waitFor(`the command “${title}” in the palette`, async () => {
      await this.closeQuickInput();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`);
      // The list filters as you type; the first row must be exactly this command.
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
      await row.waitFor({ state: 'visible', timeout: 2000 });
      const label = (await row.getAttribute('aria-label')) ?? (await row.innerText());
      if (!label.includes(title)) return false;
      await page.keyboard.press('Enter');
      return true;
    }, { timeoutMs, intervalMs: 500 });
  }

  async closeQuickInput() {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Opens a workspace file by name with Quick Open, in the first editor group. */
  async openFile(name) {
    const page = this.page;
    await this.runCommand('View: Focus First Editor Group');
    await waitFor(`${name} in Quick Open`, async () => {
      await this.closeQuickInput();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(name);
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
      await row.waitFor({ state: 'visible', timeout: 3000 });
      if (!((await row.getAttribute('aria-label')) ?? '').includes(name)) return false;
      await page.keyboard.press('Enter');
      return true;
    }, { intervalMs: 500 });
    await page.locator(`.editor-group-container.active .tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ timeout: 15_000 });
    await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  }

  /**
   * Selects lines `first`..`last` (1-based; from the start of `first` to the end of `last`) in the
   * active editor with the keyboard, and waits until the status bar shows `expectedChars` selected.
   */
  async selectLines(first, last, expectedChars) {
    const page = this.page;
    await this.closeQuickInput();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${first}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await waitFor(`the cursor on line ${first}`, async () => new RegExp(`Ln ${first},`).test(await this.selectionStatus()));
    // Home alternates between the first non-blank character and column 1.
    await page.keyboard.press('Home');
    if (!/Col 1\b/.test(await this.selectionStatus())) await page.keyboard.press('Home');
    for (let line = first; line < last; line++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    const expected = expectedChars === undefined ? /selected/ : new RegExp(`\\(${expectedChars} selected\\)`);
    return waitFor(`“${expected.source}” in the status bar`, async () => {
      const text = await this.selectionStatus();
      return expected.test(text) ? text : false;
    });
  }

  /** The status bar's “Ln 3, Col 1 (12 selected)”, or '' when no text editor is active (the item is then absent). */
  async selectionStatus() {
    const item = this.page.locator('.statusbar-item[id="status.editor.selection"]');
    return (await item.count()) ? item.innerText({ timeout: 2000 }) : '';
  }

  /** What has the keyboard focus and which editor tab is active: for a failure message. */
  async focusReport() {
    return this.page.evaluate(() => {
      const active = document.activeElement;
      const describe = (element) => (element ? `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).slice(0, 3).join('.')}` : ''}` : 'none');
      const tabs = [...document.querySelectorAll('.tabs-container .tab.active')].map((tab) => `${tab.getAttribute('aria-label')}${tab.closest('.part.editor .editor-group-container.active') ? ' (active group)' : ''}`);
      return `focus on ${describe(active)}; active tabs: ${tabs.join(' | ') || 'none'}`;
    });
  }

  /** Visible notification toasts: severity from the icon, message and button labels. */
  async notifications() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.notifications-toasts .notification-toast-container')].map((toast) => {
        const icon = toast.querySelector('.notification-list-item-icon');
        const severity = icon?.classList.contains('codicon-error') ? 'error' : icon?.classList.contains('codicon-warning') ? 'warning' : 'info';
        return {
          severity,
          message: toast.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '',
          buttons: [...toast.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((button) => button.textContent?.trim() ?? ''),
        };
      }),
    );
  }

  async clickNotificationButton(label) {
    await this.page.locator('.notifications-toasts .notification-list-item-buttons-container .monaco-button', { hasText: label }).first().click();
  }

  /** The text of a modal dialog (e.g. “Command … resulted in an error”), if one is open. */
  async dialogText() {
    const dialog = this.page.locator('.monaco-dialog-box');
    return (await dialog.count()) && (await dialog.first().isVisible()) ? (await dialog.first().innerText()).trim() : undefined;
  }

  /** Throws (past waitFor's retries) when a modal dialog is open: a user would be looking at it. */
  async failOnDialog() {
    const text = await this.dialogText();
    if (text) throw Object.assign(new Error(`a modal dialog is open: ${text.replace(/\s+/g, ' ')}`), { fatal: true });
  }

  /** The text of QED's engine item in the status bar (without its icon). */
  async engineStatus() {
    const item = this.page.locator('.statusbar-item[id="qed-prover.qed.qed.engine"]');
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    return (await item.innerText({ timeout: 2000 })).replace(/\s+/g, ' ').trim();
  }

  /** A screenshot of the status bar at the bottom of the window, where the engine item is. */
  async screenshotStatusBar(path) {
    const bar = this.page.locator('.part.statusbar');
    await bar.screenshot({ path });
  }

  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    await this.closeQuickInput();
  }

  /** The Proof panel's content frame (the webview's iframe, then its inner #active-frame), if it is open. */
  async findProofFrame() {
    for (const outer of await this.page.locator('iframe.webview').elementHandles()) {
      const inner = await (await outer.contentFrame())?.$('iframe#active-frame');
      const frame = await inner?.contentFrame();
      if (frame && (await frame.$('.run-header'))) return frame;
    }
    return undefined;
  }

  /** The Proof panel's content frame, once it has rendered. */
  async proofFrame(timeoutMs = 30_000) {
    return waitFor('the QED Proof panel', async () => {
      await this.failOnDialog();
      return this.findProofFrame();
    }, { timeoutMs, intervalMs: 50 });
  }

  /**
   * Marks the run the panel shows now, so that `panelState().previousRun` tells it from the next
   * one (a new run re-renders the statement, which drops the mark).
   */
  async markCurrentRun() {
    const frame = await this.findProofFrame();
    await frame?.evaluate(() => {
      const mark = document.createElement('i');
      mark.dataset.e2ePreviousRun = '';
      mark.hidden = true;
      document.querySelector('.statement-body')?.append(mark);
    });
  }

  /** Where keyboard focus is: the active editor group's index (1-based) and whether a webview has it. */
  async focus() {
    return this.page.evaluate(() => {
      const groups = [...document.querySelectorAll('.editor-group-container')];
      const active = document.querySelector('.editor-group-container.active');
      return { activeGroup: groups.indexOf(active) + 1, webview: document.activeElement?.tagName === 'IFRAME', editorFocused: !!document.querySelector('.monaco-editor.focused') };
    });
  }

  /** What the Proof panel shows, read from its DOM. */
  async panelState(frame) {
    return frame.evaluate(() => {
      const text = (selector) => document.querySelector(selector)?.textContent?.trim() ?? '';
      const proof = document.querySelector('.proof-body');
      // Visible proof text without the math (KaTeX keeps the TeX source in a MathML annotation).
      let proofTextOutsideMath = '';
      if (proof) {
        const copy = proof.cloneNode(true);
        for (const math of copy.querySelectorAll('.katex, .katex-display, .math-source')) math.remove();
        proofTextOutsideMath = copy.textContent ?? '';
      }
      const stop = document.querySelector('.toolbar button[aria-label="Stop generating"]');
      const style = getComputedStyle(document.body);
      return {
        previousRun: !!document.querySelector('[data-e2e-previous-run]'),
        title: text('.run-title'),
        source: text('.run-source'),
        status: text('.status'),
        tone: document.querySelector('.status')?.dataset.tone ?? '',
        thinkingLabel: text('.thinking-label'),
        thinkingOpen: document.querySelector('details.thinking')?.open ?? false,
        thinkingTextLength: document.querySelector('.thinking-body')?.textContent?.length ?? 0,
        thinkingHidden: document.querySelector('details.thinking')?.hidden ?? true,
        proofHidden: document.querySelector('.proof')?.hidden ?? true,
        proofText: proof?.textContent ?? '',
        proofTextOutsideMath,
        katexCount: document.querySelectorAll('.proof-body .katex').length,
        statementKatexCount: document.querySelectorAll('.statement-body .katex').length,
        // TeX that KaTeX could not parse is shown as its source (code.math-source), not as raw $…$.
        mathSourceCount: document.querySelectorAll('.proof-body .math-source').length,
        katexFontsLoaded: [...document.fonts].filter((font) => font.family.includes('KaTeX') && font.status === 'loaded').map((font) => font.family.replace(/"/g, '')),
        stopVisible: !!stop && !stop.hidden,
        stopLabel: stop?.textContent ?? '',
        bodyColor: style.color,
        bodyBackground: style.backgroundColor,
        themeKind: document.body.className,
      };
    });
  }

  async screenshot(path) {
    await this.page.screenshot({ path });
  }
}
