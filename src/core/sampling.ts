/** QED-Nano's recommended sampling (model card; top_k and min_p from Qwen3-4B-Thinking-2507). */
export const MODEL_CARD_SAMPLING = {
  temperature: 0.6,
  topP: 0.95,
  topK: 20,
  minP: 0,
} as const;
