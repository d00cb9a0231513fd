/**
 * The models QED knows how to fetch: QED-Nano (lm-provers/QED-Nano, Apache-2.0) in the
 * quantizations of the community GGUF conversion, resolved by node-llama-cpp from `hf:` URIs
 * through the Hub API.
 *
 * Nothing here was checked against the repository (no network to Hugging Face where this was
 * written): the sizes are estimates from QED-Nano's architecture and llama.cpp's recipe for each
 * quantization (qed-nano-shape/quantization.ts), and the file names, pinned revisions and sha256
 * values are left empty rather than guessed. A download is checked against `sha256` when an entry
 * has one; the model picker calls entries without one "unverified".
 */
import { QUANTIZATIONS, weightBytes, type Quantization } from './qed-nano-shape/quantization';

export interface CatalogModel {
  id: string;
  name: string;
  /** node-llama-cpp model URI (`hf:<user>/<repo>:<quantization>`): the repository's file for that quantization, on main. */
  uri: string;
  quantization: Quantization;
  /** The download's size, estimated: the weights in llama.cpp's recipe plus about 6 MB of header (the tokenizer). */
  estimatedBytes: number;
  /** The file's name in the repository; with `revision`, the download is pinned to that commit. */
  file?: string;
  /** A commit of the repository. */
  revision?: string;
  /** Hex SHA-256 of the file; a download that does not match is deleted and reported. */
  sha256?: string;
  license: string;
  homepage: string;
}

const REPOSITORY = 'Mungert/QED-Nano-GGUF';
const HEADER_BYTES = 6e6;

function qedNano(quantization: Quantization): CatalogModel {
  return {
    id: `qed-nano-${quantization.toLowerCase()}`,
    name: `QED-Nano 4B ${quantization}`,
    uri: `hf:${REPOSITORY}:${quantization}`,
    quantization,
    estimatedBytes: weightBytes(quantization) + HEADER_BYTES,
    license: 'Apache-2.0',
    homepage: 'https://huggingface.co/lm-provers/QED-Nano',
  };
}

/** Smallest first. */
export const CATALOG: readonly CatalogModel[] = QUANTIZATIONS.map(qedNano);

export const DEFAULT_MODEL = catalogModel('Q4_K_M');

export function catalogModel(quantization: Quantization): CatalogModel {
  return CATALOG.find((model) => model.quantization === quantization)!;
}

/** What to download: the pinned file when the entry names one and its revision, else the quantization's URI. */
export function downloadUri(model: CatalogModel): string {
  return model.file && model.revision ? `hf:${REPOSITORY}/${model.file}#${model.revision}` : model.uri;
}

/** Whether a download of this entry can be checked (the picker says "unverified" otherwise). */
export function isVerifiable(model: CatalogModel): boolean {
  return Boolean(model.sha256);
}
