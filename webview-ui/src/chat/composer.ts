/**
 * The message composer: a multi-line input (Enter sends, Shift+Enter is a new line), Add
 * selection, text dropped from the editor (the host turns it into a quoted LaTeX block with its
 * file and lines), and hints for the slash commands.
 */
import { button, element, replaceChildrenWith } from '../element';

export interface ComposerHost {
  send(text: string): void;
  addSelection(): void;
  dropText(text: string): void;
  draftChanged(text: string): void;
}

export const SLASH_COMMANDS: readonly { name: string; hint: string }[] = [
  { name: '/prove', hint: 'prove a statement with QED-Nano’s own prompt' },
  { name: '/deep', hint: 'Deep Prove the statement (or the editor’s selection or theorem), in its own panel' },
  { name: '/critique', hint: 'grade the last proof (or the proof you give)' },
  { name: '/explain', hint: 'explain a step, a proof or a statement' },
  { name: '/latex', hint: 'rewrite the last answer as paper-ready LaTeX' },
];

export class Composer {
  readonly element: HTMLElement;
  private readonly input = element('textarea', {
    class: 'composer-input',
    rows: '3',
    placeholder: 'Ask QED-Nano… (Enter to send, Shift+Enter for a new line, / for commands)',
    'aria-label': 'Message to QED-Nano. Enter sends, Shift+Enter adds a line. Commands: /prove, /deep, /critique, /explain, /latex.',
  });
  private readonly sendButton = button('Send', 'Send the message', 'button');
  private readonly selectionButton = button('Add selection', 'Add the editor’s selection as a quoted LaTeX block');
  private readonly hints = element('div', { class: 'slash-hints', role: 'list', 'aria-label': 'Slash commands' });
  private busy = false;

  constructor(private readonly host: ComposerHost) {
    this.element = element(
      'form',
      { class: 'composer', 'aria-label': 'Compose a message' },
      this.hints,
      this.input,
      element('div', { class: 'composer-actions' }, this.selectionButton, this.sendButton),
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => {
      this.updateHints();
      this.updateButtons();
      this.host.draftChanged(this.input.value);
    });
    this.sendButton.addEventListener('click', () => this.submit());
    this.selectionButton.addEventListener('click', () => this.host.addSelection());
    // Text dragged from the editor: the host knows whether it is the selection, and where it lives.
    this.element.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('text/plain')) {
        event.preventDefault();
        this.element.classList.add('drop-target');
      }
    });
    this.element.addEventListener('dragleave', () => this.element.classList.remove('drop-target'));
    this.element.addEventListener('drop', (event) => {
      this.element.classList.remove('drop-target');
      const text = event.dataTransfer?.getData('text/plain');
      if (!text) return;
      event.preventDefault();
      this.host.dropText(text);
    });
    this.updateHints();
    this.updateButtons();
  }

  get draft(): string {
    return this.input.value;
  }

  setDraft(text: string): void {
    this.input.value = text;
    this.updateHints();
    this.updateButtons();
  }

  /** A quoted block goes in at the caret, on lines of its own. */
  insertQuote(text: string): void {
    const { selectionStart, selectionEnd, value } = this.input;
    const before = value.slice(0, selectionStart);
    const after = value.slice(selectionEnd);
    const lead = before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
    const trail = after.startsWith('\n') ? '' : '\n\n';
    this.input.value = `${before}${lead}${text}${trail}${after}`;
    const caret = before.length + lead.length + text.length + trail.length;
    this.input.setSelectionRange(caret, caret);
    this.input.focus();
    this.updateHints();
    this.updateButtons();
    this.host.draftChanged(this.input.value);
  }

  /** While an answer streams the message waits: one answer at a time. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.updateButtons();
  }

  focus(): void {
    this.input.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.busy) return;
    this.host.send(text);
    this.input.value = '';
    this.updateHints();
    this.updateButtons();
    this.host.draftChanged('');
  }

  private updateButtons(): void {
    this.sendButton.disabled = this.busy || !this.input.value.trim();
    this.sendButton.title = this.busy ? 'Wait for the answer, or stop it' : 'Send the message';
  }

  /** While the first word is a partial command, the matching commands are listed (clickable). */
  private updateHints(): void {
    const word = /^\/\S*$/.exec(this.input.value.split(/\s/, 1)[0] ?? '')?.[0];
    const typingCommand = word !== undefined && !/\s/.test(this.input.value);
    const matches = typingCommand ? SLASH_COMMANDS.filter((command) => command.name.startsWith(word)) : [];
    this.hints.hidden = matches.length === 0;
    replaceChildrenWith(
      this.hints,
      matches.map((command) => {
        const item = element('button', { type: 'button', class: 'slash-hint', role: 'listitem' }, element('span', { class: 'slash-name' }, command.name), ` ${command.hint}`);
        item.addEventListener('click', () => {
          this.setDraft(`${command.name} `);
          this.input.focus();
          this.host.draftChanged(this.input.value);
        });
        return item;
      }),
    );
  }
}
