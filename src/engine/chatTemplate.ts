/**
 * Renders prompts with the model's own chat template from the GGUF.
 *
 * node-llama-cpp would otherwise pick one of its built-in chat wrappers by heuristics, and for a
 * template that ends in `<|im_start|>assistant\n<think>\n` it chose plain ChatML: the opening
 * `<think>` was lost and nothing the model wrote was classified as reasoning.
 */
import { randomBytes } from 'node:crypto';
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../core/chat';
import { THINK_CLOSE } from '../core/reasoning';
import { pushAll } from '../core/arrays';

/** QED-Nano's format, used only when a GGUF carries no template at all. */
export const QED_NANO_FALLBACK_TEMPLATE =
  "{%- for message in messages -%}" +
  "{%- if message.role == 'assistant' -%}" +
  "{{- '<|im_start|>assistant\\n' + message.content.split('</think>')[-1].lstrip('\\n') + '<|im_end|>\\n' -}}" +
  '{%- else -%}' +
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' -}}" +
  '{%- endif -%}' +
  '{%- endfor -%}' +
  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n<think>\\n' -}}{%- endif -%}";

/** A stretch of the rendered prompt, and whether it is message text or the template's own. */
export interface PromptPart {
  text: string;
  /** Message text is tokenized as plain text: only the template places special tokens. */
  fromMessage: boolean;
}

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: { bos?: string; eos?: string } = {},
  ) {
    this.template = new Template(source);
  }

  render(messages: readonly ChatMessage[]): string {
    return this.renderMessages(messages.map((message) => ({ role: message.role, content: message.content })));
  }

  /**
   * The same prompt as `render` (followed by `assistantPrefix`, the answer being continued), in
   * parts that say which text came from the messages.
   *
   * The template is rendered with a marker in place of each message's text and the markers are
   * then replaced, so the template cannot mistake message text for its own. Templates do look at
   * the text in two ways: Qwen's split earlier answers at `</think>` to drop their reasoning, and
   * strip newlines. So the think tags of assistant messages and the whitespace at the ends of each
   * stretch stay as they are and only what lies between becomes a marker: splitting and stripping
   * then give what they give on the text itself (the tests hold this for the templates we ship).
   */
  renderParts(messages: readonly ChatMessage[], assistantPrefix = ''): PromptPart[] {
    const nonce = uniqueNonce(messages);
    const texts: string[] = [];
    const marked = messages.map((message) => ({ role: message.role, content: markText(message.content, message.role === 'assistant', nonce, texts) }));
    const parts: PromptPart[] = [];
    const markers = new RegExp(`${MARKER_OPEN}${nonce}:(\\d+)${MARKER_CLOSE}`, 'g');
    const rendered = this.renderMessages(marked);
    let last = 0;
    for (const match of rendered.matchAll(markers)) {
      parts.push({ text: rendered.slice(last, match.index), fromMessage: false });
      parts.push({ text: texts[Number(match[1])]!, fromMessage: true });
      last = match.index + match[0].length;
    }
    parts.push({ text: rendered.slice(last), fromMessage: false });
    pushAll(parts, prefixParts(assistantPrefix));
    return parts.filter((part) => part.text !== '');
  }

  /** Whether the generation prompt opens a think block, so the output starts inside reasoning. */
  get opensThinking(): boolean {
    const probe = this.render([{ role: 'user', content: 'x' }]);
    return /<think>\s*$/.test(probe);
  }

  private renderMessages(messages: { role: string; content: string }[]): string {
    return this.template.render({
      messages,
      add_generation_prompt: true,
      bos_token: this.specialTokens.bos ?? '',
      eos_token: this.specialTokens.eos ?? '',
    });
  }
}

// Private-use characters: not whitespace (so stripping leaves a marker alone), and not in any
// template. The nonce makes a marker that a message could spell out in advance unlikely; a
// message that happens to contain one gets another nonce.
const MARKER_OPEN = '\uE000';
const MARKER_CLOSE = '\uE001';

function uniqueNonce(messages: readonly ChatMessage[]): string {
  for (;;) {
    const nonce = randomBytes(6).toString('hex');
    if (!messages.some((message) => message.content.includes(`${MARKER_OPEN}${nonce}`))) return nonce;
  }
}

/** The text as the template sees it: think tags (assistant only) and outer whitespace as is, markers for the rest. */
function markText(text: string, keepThinkTags: boolean, nonce: string, texts: string[]): string {
  const stretches = keepThinkTags ? text.split(/(<\/?think>)/) : [text];
  return stretches
    .map((stretch, index) => {
      if (index % 2 === 1) return stretch; // a tag, kept by split's capture group
      const start = stretch.length - stretch.trimStart().length;
      const end = stretch.trimEnd().length;
      if (start >= end) return stretch;
      texts.push(stretch.slice(start, end));
      return `${stretch.slice(0, start)}${MARKER_OPEN}${nonce}:${texts.length - 1}${MARKER_CLOSE}${stretch.slice(end)}`;
    })
    .join('');
}

/**
 * A continued answer is the model's own earlier output: its first `</think>` is the tag the model
 * wrote to close its reasoning (the one the reasoning splitter splits at), so it goes in as the
 * template's text; the rest is plain text.
 */
function prefixParts(prefix: string): PromptPart[] {
  const close = prefix.indexOf(THINK_CLOSE);
  if (close < 0) return [{ text: prefix, fromMessage: true }];
  return [
    { text: prefix.slice(0, close), fromMessage: true },
    { text: THINK_CLOSE, fromMessage: false },
    { text: prefix.slice(close + THINK_CLOSE.length), fromMessage: true },
  ];
}
