/**
 * Messages between the extension host and the side-panel chat's webview, each direction defined
 * once as a schema, as panelProtocol.ts does: the host owns the conversations, so a webview that
 * was hidden or reloaded is redrawn from a snapshot; answers stream as the same deltas as the
 * Proof panel's; the webview only renders and reports what the user asked for.
 */
import { answerDelta } from '../answer/answerDelta';
import { conversation, conversationSummary } from '../conversation/types';
import { array, boolean, count, literal, messages, nullable, object, optional, positiveInteger, string, text, type Infer } from './schema';

/** Everything the chat view draws, from scratch. */
export const chatSnapshot = object({
  /** The open conversation; absent before the first message of a new one (postMessage may make that null). */
  conversation: optional(nullable(conversation)),
  history: array(conversationSummary),
  /** The Thinking sections are shown (setting `qed.chat.showThinking`). */
  showThinking: boolean,
  /** The thinking budget new conversations start with (setting `qed.chat.thinkingBudget`); null = unlimited. */
  defaultThinkingBudget: nullable(count),
  /** Status line while the engine starts or the model loads. */
  progress: optional(string),
  /** Where answers come from, e.g. "local engine · qed-nano-q4_k_m.gguf". */
  source: optional(string),
  /** The prompt builder's notice for the latest turn (earlier turns left out to fit the context). */
  notice: optional(string),
  /** History files that could not be read (kept aside), shown once as a warning. */
  warnings: array(string),
});
export type ChatSnapshot = Infer<typeof chatSnapshot>;

export const hostToChat = messages(
  object({ type: literal('snapshot'), state: chatSnapshot }),
  object({ type: literal('delta'), conversationId: string, turnId: string, delta: answerDelta }),
  object({ type: literal('progress'), progress: optional(string), source: optional(string) }),
  /** Text for the composer: a quoted selection (Add selection, or a drop). */
  object({ type: literal('quote'), text: string }),
);
export type HostToChat = Infer<typeof hostToChat>;

export const answerAction = literal('stop', 'answerNow', 'continue', 'regenerate', 'copy', 'insert');
export type AnswerAction = Infer<typeof answerAction>;

/** Text the webview may send: bounded, so a runaway page cannot make the host hold megabytes per message. */
const pageText = text(1_000_000);

export const chatToHost = messages(
  object({ type: literal('ready', 'addSelection', 'dismissWarnings') }),
  object({ type: literal('send'), text: pageText }),
  object({ type: literal('answerAction'), action: answerAction, turnId: string }),
  /** Copy exactly this text (e.g. a formula's LaTeX source). */
  object({ type: literal('copyText'), text: pageText }),
  /** Text dropped on the composer; the host adds the file and lines when it is the editor's selection. */
  object({ type: literal('dropText'), text: pageText }),
  object({ type: literal('setThinkingBudget'), budget: nullable(positiveInteger) }),
);
export type ChatToHost = Infer<typeof chatToHost>;
