/**
 * A minimal GGUF v3 writer: metadata key/values and tensors, little-endian, nothing else.
 *
 * Layout (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): magic "GGUF", u32 version,
 * u64 tensor count, u64 metadata count, the key/values, the tensor infos, padding to the
 * alignment, then the tensor data, each tensor starting at a multiple of the alignment.
 * Strings are a u64 byte length followed by UTF-8 bytes; arrays are a u32 element type, a u64
 * count and the elements. Tensor dims are listed fastest-varying first (ne[0] is the row length).
 *
 * `writeGguf` builds a small file in memory from F32 values. `layoutGguf` gives the header and
 * where each tensor's data goes without any data, for files too large to hold in memory (the
 * caller writes the few tensors it needs and extends the file with zeros).
 */

const GGUF_VERSION = 3;
const ALIGNMENT = 32;

/** GGUF metadata value types. */
const ValueType = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;

/** The ggml tensor types this writer knows: id, values per block, bytes per block (ggml.c's type traits). */
const GGML_TYPES = {
  f32: { id: 0, blockValues: 1, blockBytes: 4 },
  f16: { id: 1, blockValues: 1, blockBytes: 2 },
  q8_0: { id: 8, blockValues: 32, blockBytes: 34 },
  q4_k: { id: 12, blockValues: 256, blockBytes: 144 },
  q5_k: { id: 13, blockValues: 256, blockBytes: 176 },
  q6_k: { id: 14, blockValues: 256, blockBytes: 210 },
} as const;

export type GgmlTypeName = keyof typeof GGML_TYPES;

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'i32[]'; value: readonly number[] };

export const u32 = (value: number): GgufValue => ({ type: 'u32', value });
export const i32 = (value: number): GgufValue => ({ type: 'i32', value });
export const f32 = (value: number): GgufValue => ({ type: 'f32', value });
export const bool = (value: boolean): GgufValue => ({ type: 'bool', value });
export const str = (value: string): GgufValue => ({ type: 'string', value });
export const strArray = (value: readonly string[]): GgufValue => ({ type: 'string[]', value });
export const i32Array = (value: readonly number[]): GgufValue => ({ type: 'i32[]', value });

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the row length (fastest-varying). */
  dims: readonly number[];
  type: GgmlTypeName;
}

export interface GgufTensor extends GgufTensorInfo {
  /** Storage type; the values are always given as F32 and converted. */
  type: 'f32' | 'f16';
  /** Row-major data, dims[0] values per row; its length must be the product of dims. */
  data: Float32Array;
}

export interface GgufLayout {
  /** Everything before the tensor data, padding included. */
  header: Buffer;
  /** Absolute file offset of each tensor's data, in the order given. */
  offsets: number[];
  /** Size of the whole file with every tensor's data in place. */
  fileSize: number;
}

/** Bytes of a tensor's data; quantized rows must be whole blocks. */
export function tensorByteLength(info: GgufTensorInfo): number {
  const { blockValues, blockBytes } = GGML_TYPES[info.type];
  if (info.dims[0]! % blockValues !== 0) {
    throw new Error(`tensor ${info.name}: rows of ${info.dims[0]} values are not whole ${info.type} blocks of ${blockValues}`);
  }
  return (info.dims.reduce((a, b) => a * b, 1) / blockValues) * blockBytes;
}

/** The header and data offsets of a GGUF file, without the data. */
export function layoutGguf(metadata: ReadonlyArray<readonly [string, GgufValue]>, tensors: readonly GgufTensorInfo[]): GgufLayout {
  const out = new ByteSink();
  out.bytes(Buffer.from('GGUF', 'latin1'));
  out.u32(GGUF_VERSION);
  out.u64(tensors.length);
  out.u64(metadata.length);

  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }

  const relative: number[] = [];
  let dataSize = 0;
  for (const tensor of tensors) {
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(GGML_TYPES[tensor.type].id);
    out.u64(dataSize);
    relative.push(dataSize);
    dataSize += alignUp(tensorByteLength(tensor));
  }
  out.pad();
  const header = out.toBuffer();
  return { header, offsets: relative.map((offset) => header.length + offset), fileSize: header.length + dataSize };
}

/** Serializes a GGUF v3 file. Output depends only on the arguments (and their order). */
export function writeGguf(metadata: ReadonlyArray<readonly [string, GgufValue]>, tensors: readonly GgufTensor[]): Buffer {
  const payloads = tensors.map((tensor) => {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new Error(`tensor ${tensor.name}: dims ${tensor.dims.join('x')} need ${count} values, got ${tensor.data.length}`);
    }
    return tensor.type === 'f32' ? f32Bytes(tensor.data) : f16Bytes(tensor.data);
  });
  const layout = layoutGguf(metadata, tensors);
  const file = Buffer.alloc(layout.fileSize);
  layout.header.copy(file, 0);
  payloads.forEach((payload, index) => payload.copy(file, layout.offsets[index]!));
  return file;
}

function writeValue(out: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case 'u32':
      out.u32(ValueType.UINT32);
      out.u32(value.value);
      return;
    case 'i32':
      out.u32(ValueType.INT32);
      out.i32(value.value);
      return;
    case 'f32':
      out.u32(ValueType.FLOAT32);
      out.f32(value.value);
      return;
    case 'bool':
      out.u32(ValueType.BOOL);
      out.bytes(Buffer.from([value.value ? 1 : 0]));
      return;
    case 'string':
      out.u32(ValueType.STRING);
      out.string(value.value);
      return;
    case 'string[]':
      out.u32(ValueType.ARRAY);
      out.u32(ValueType.STRING);
      out.u64(value.value.length);
      for (const item of value.value) out.string(item);
      return;
    case 'i32[]':
      out.u32(ValueType.ARRAY);
      out.u32(ValueType.INT32);
      out.u64(value.value.length);
      for (const item of value.value) out.i32(item);
      return;
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

function f32Bytes(data: Float32Array): Buffer {
  const buffer = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) buffer.writeFloatLE(data[i]!, i * 4);
  return buffer;
}

function f16Bytes(data: Float32Array): Buffer {
  const buffer = Buffer.alloc(data.length * 2);
  for (let i = 0; i < data.length; i++) buffer.writeUInt16LE(toHalf(data[i]!), i * 2);
  return buffer;
}

/** IEEE 754 binary32 -> binary16 bits, round to nearest even (no Float16Array in Node 20). */
export function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mantissa |= 0x800000; // subnormal half: shift in the implicit bit
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const rounded = rest > midpoint || (rest === midpoint && (half & 1)) ? half + 1 : half;
    return sign | rounded;
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
}

/** Little-endian byte accumulator. */
class ByteSink {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  bytes(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  u32(value: number): void {
    this.scalar(4, (b) => b.writeUInt32LE(value));
  }

  i32(value: number): void {
    this.scalar(4, (b) => b.writeInt32LE(value));
  }

  u64(value: number): void {
    this.scalar(8, (b) => b.writeBigUInt64LE(BigInt(value)));
  }

  f32(value: number): void {
    this.scalar(4, (b) => b.writeFloatLE(value));
  }

  private scalar(size: number, write: (buffer: Buffer) => void): void {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.bytes(buffer);
  }

  string(value: string): void {
    const encoded = Buffer.from(value, 'utf8');
    this.u64(encoded.length);
    this.bytes(encoded);
  }

  /** Zero bytes up to the next multiple of the alignment. */
  pad(): void {
    const padding = alignUp(this.length) - this.length;
    if (padding) this.bytes(Buffer.alloc(padding));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
