/**
 * Renders prompts with the model's own chat template from the GGUF.
 *
 * node-llama-cpp would otherwise pick one of its built-in chat wrappers by heuristics, and for a
 * template that ends in `<|im_start|>assistant\n<think>\n` it chose plain ChatML: the opening
 * `<think>` was lost and nothing the model wrote was classified as reasoning.
 */
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../core/chat';

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

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: { bos?: string; eos?: string } = {},
  ) {
    this.template = new Template(source);
  }

  render(messages: readonly ChatMessage[]): string {
    return this.template.render({
      messages: messages.map((message) => ({ role: message.role, content: message.content })),
      add_generation_prompt: true,
      bos_token: this.specialTokens.bos ?? '',
      eos_token: this.specialTokens.eos ?? '',
    });
  }

  /** Whether the generation prompt opens a think block, so the output starts inside reasoning. */
  get opensThinking(): boolean {
    const probe = this.render([{ role: 'user', content: 'x' }]);
    return /<think>\s*$/.test(probe);
  }
}
