/**
 * Encodes F32 rows as ggml's Q6_K blocks (256 values in 210 bytes: 128 bytes of low nibbles,
 * 64 of high 2-bit pairs, 16 int8 sub-block scales, an f16 super-block scale).
 *
 * A plain max-abs quantizer, not llama.cpp's error-minimising one: the fixtures that use it need
 * a few values to come out close, not the best rounding. The element order is that of
 * `dequantize_row_q6_K` in ggml-quants.c.
 */
import { toHalf } from './writer';

export const Q6_K_BLOCK_VALUES = 256;
export const Q6_K_BLOCK_BYTES = 210;

export function encodeQ6K(values: Float32Array): Buffer {
  if (values.length % Q6_K_BLOCK_VALUES !== 0) throw new Error(`Q6_K needs whole blocks of ${Q6_K_BLOCK_VALUES} values, got ${values.length}`);
  const out = Buffer.alloc((values.length / Q6_K_BLOCK_VALUES) * Q6_K_BLOCK_BYTES);
  for (let block = 0; block * Q6_K_BLOCK_VALUES < values.length; block++) {
    encodeBlock(values.subarray(block * Q6_K_BLOCK_VALUES, (block + 1) * Q6_K_BLOCK_VALUES), out.subarray(block * Q6_K_BLOCK_BYTES));
  }
  return out;
}

function encodeBlock(x: Float32Array, out: Buffer): void {
  // Each 16-value sub-block gets a scale so that its largest value maps to ±32 quantization steps.
  const subScales = new Float64Array(16);
  for (let sub = 0; sub < 16; sub++) {
    let max = 0;
    for (let i = sub * 16; i < sub * 16 + 16; i++) max = Math.max(max, Math.abs(x[i]!));
    subScales[sub] = max / 31;
  }
  const maxScale = Math.max(...subScales);
  const halfBits = toHalf(maxScale / 127);
  const d = fromHalf(halfBits);
  const scales = new Int8Array(16);
  for (let sub = 0; sub < 16; sub++) scales[sub] = d === 0 ? 0 : Math.min(127, Math.round(subScales[sub]! / d));

  const ql = out.subarray(0, 128);
  const qh = out.subarray(128, 192);
  for (let e = 0; e < Q6_K_BLOCK_VALUES; e++) {
    const step = d * scales[e >> 4]!;
    const q = (step === 0 ? 0 : Math.max(-32, Math.min(31, Math.round(x[e]! / step)))) + 32;
    const half = e >> 7;
    const quarter = (e & 127) >> 5;
    const l = e & 31;
    const low = half * 64 + l + (quarter & 1 ? 32 : 0);
    ql[low]! |= (q & 0xf) << (quarter >= 2 ? 4 : 0);
    qh[half * 32 + l]! |= (q >> 4) << (2 * quarter);
  }
  Buffer.from(scales.buffer).copy(out, 192);
  out.writeUInt16LE(halfBits, 208);
}

/** The inverse of `encodeQ6K`, as ggml computes it; for tests. */
export function decodeQ6K(bytes: Buffer): Float32Array {
  const values = new Float32Array((bytes.length / Q6_K_BLOCK_BYTES) * Q6_K_BLOCK_VALUES);
  for (let block = 0; block * Q6_K_BLOCK_BYTES < bytes.length; block++) {
    const b = bytes.subarray(block * Q6_K_BLOCK_BYTES, (block + 1) * Q6_K_BLOCK_BYTES);
    const d = fromHalf(b.readUInt16LE(208));
    for (let e = 0; e < Q6_K_BLOCK_VALUES; e++) {
      const half = e >> 7;
      const quarter = (e & 127) >> 5;
      const l = e & 31;
      const low = (b[half * 64 + l + (quarter & 1 ? 32 : 0)]! >> (quarter >= 2 ? 4 : 0)) & 0xf;
      const high = (b[128 + half * 32 + l]! >> (2 * quarter)) & 3;
      values[block * Q6_K_BLOCK_VALUES + e] = d * b.readInt8(192 + (e >> 4)) * ((low | (high << 4)) - 32);
    }
  }
  return values;
}

function fromHalf(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
