import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ChatTemplate, QED_NANO_FALLBACK_TEMPLATE } from '../../src/engine/chatTemplate';

const tinyTemplate = readFileSync(path.resolve(__dirname, '../../models/tiny/chat-template.jinja'), 'utf8');

describe('ChatTemplate', () => {
  for (const [name, source] of [['fallback (QED-Nano ChatML)', QED_NANO_FALLBACK_TEMPLATE], ['tiny model GGUF template', tinyTemplate]] as const) {
    describe(name, () => {
      const template = new ChatTemplate(source);
      it('opens the think block in the generation prompt', () => {
        assert.equal(template.render([{ role: 'user', content: 'Prove it.' }]), '<|im_start|>user\nProve it.<|im_end|>\n<|im_start|>assistant\n<think>\n');
        assert.equal(template.opensThinking, true);
      });
      it('keeps only the answer of earlier assistant turns', () => {
        const prompt = template.render([
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: 'secret reasoning\n</think>\n\nA1' },
          { role: 'user', content: 'Q2' },
        ]);
        assert.equal(prompt, '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\n');
      });
    });
  }

  it('tells a template that does not open thinking', () => {
    const plain = new ChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}");
    assert.equal(plain.opensThinking, false);
  });
});
