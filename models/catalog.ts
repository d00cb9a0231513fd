/**
 * The models QED knows how to fetch. The default is QED-Nano (lm-provers/QED-Nano, Apache-2.0)
 * as a community GGUF conversion; node-llama-cpp resolves `hf:` URIs through the Hub API.
 */
export interface CatalogModel {
  id: string;
  name: string;
  /** node-llama-cpp model URI (`hf:<user>/<repo>:<quantisation>`). */
  uri: string;
  quantisation: string;
  /** Approximate download size; the exact size comes from the server when downloading. */
  approximateBytes: number;
  license: string;
  homepage: string;
}

export const QED_NANO_Q4_K_M: CatalogModel = {
  id: 'qed-nano-q4_k_m',
  name: 'QED-Nano 4B (Q4_K_M)',
  uri: 'hf:Mungert/QED-Nano-GGUF:Q4_K_M',
  quantisation: 'Q4_K_M',
  // Qwen3-4B architecture at Q4_K_M: about 2.3 GiB; not yet checked against the actual file.
  approximateBytes: 2.5e9,
  license: 'Apache-2.0',
  homepage: 'https://huggingface.co/lm-provers/QED-Nano',
};

export const DEFAULT_MODEL = QED_NANO_Q4_K_M;
