/** QED-Nano's recommended sampling (model card; top_k and min_p from Qwen3-4B-Thinking-2507). */
export const MODEL_CARD_SAMPLING = {
  temperature: 0.6,
  topP: 0.95,
  topK: 20,
  minP: 0,
} as const;

/** The largest seed: the engine's and OpenAI's range is 32 bits. */
export const MAX_SEED = 2 ** 32 - 1;

/** The seed a setting asks for; null (or anything but a whole number in range): a new sample each run. */
export function seedOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED ? value : undefined;
}
