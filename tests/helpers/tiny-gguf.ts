/**
 * Writes a tiny, random-weight llama-architecture model as a GGUF v3 file, so tests can load a
 * real model with node-llama-cpp without downloading anything.
 *
 * Written from the GGUF format description (ggml docs/gguf.md):
 *
 *   header:       "GGUF" magic (u32 LE 0x46554747), version u32 = 3, tensor_count u64, kv_count u64
 *   metadata kv:  key (string), value type (u32), value
 *                 string = u64 byte length + UTF-8 bytes (no terminator)
 *                 array  = element type (u32) + u64 count + elements
 *   tensor infos: name (string), n_dims (u32), dims (u64 each, ne[0] = fastest-varying first),
 *                 ggml type (u32, F32 = 0), offset (u64, relative to the start of the data blob,
 *                 a multiple of the alignment)
 *   padding to `general.alignment` (32), then the tensor data blob, each tensor padded to 32.
 *
 * Model: 2 blocks, n_embd 64, 4 heads (head dim 16), n_ff 128, context 256, all F32.
 * Vocabulary: SentencePiece-style ("llama" tokenizer model): <unk>, <s>, </s>, the 256 byte
 * tokens <0x00>..<0xFF> (type BYTE), then word pieces (single printable ASCII characters, "▁"
 * space-prefixed letters and digits, digit pairs, JSON punctuation runs and a few words).
 */
import { writeFileSync } from "node:fs";
import { seededRandom } from "../../src/domain/random";

export const TINY_GGUF = {
  nEmbd: 64,
  nHead: 4,
  nHeadKv: 4,
  nFf: 128,
  nLayer: 2,
  contextLength: 256,
  alignment: 32,
} as const;

/** GGUF metadata value types. */
const enum GgufType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** llama.cpp token types (tokenizer.ggml.token_type). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

const GGML_TYPE_F32 = 0;

type MetaValue =
  | { type: GgufType.UINT32; value: number }
  | { type: GgufType.INT32; value: number }
  | { type: GgufType.FLOAT32; value: number }
  | { type: GgufType.BOOL; value: boolean }
  | { type: GgufType.STRING; value: string }
  | { type: GgufType.ARRAY; itemType: GgufType.STRING; value: string[] }
  | { type: GgufType.ARRAY; itemType: GgufType.FLOAT32 | GgufType.INT32; value: number[] };

interface TensorSpec {
  name: string;
  /** GGUF order: dims[0] is the fastest-varying (row length). */
  dims: number[];
  data: Float32Array;
}

/** Growable little-endian byte writer. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private static readonly utf8 = new TextEncoder();

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  str(s: string): void {
    const b = ByteWriter.utf8.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Builds the vocabulary: pieces, scores and token types (ids are array indices). */
export function tinyVocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const seen = new Set<string>();
  const add = (piece: string, score: number, type: number): void => {
    if (seen.has(piece)) return;
    seen.add(piece);
    tokens.push(piece);
    scores.push(score);
    types.push(type);
  };
  add("<unk>", 0, TokenType.UNKNOWN);
  add("<s>", 0, TokenType.CONTROL);
  add("</s>", 0, TokenType.CONTROL);
  for (let b = 0; b < 256; b++) {
    add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, 0, TokenType.BYTE);
  }

  const pieces: string[] = ["▁"];
  for (let c = 0x21; c <= 0x7e; c++) pieces.push(String.fromCharCode(c)); // printable ASCII
  for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789") pieces.push(`▁${ch}`);
  for (let n = 0; n < 100; n++) pieces.push(String(n).padStart(2, "0"));
  pieces.push(
    '{"', '":', '",', '"]', '["', '"}', "},", "],", "}]", "[]", "{}", ",▁", ":▁", '▁"', '▁["',
    '",▁"', '":▁', '":▁"', '":▁[', "▁{", "▁}", "▁[", "▁]", "▁▁", "▁▁▁▁", ".0", ".5", "e+", "e-", "-1",
  );
  for (const word of [
    "the", "and", "load", "truck", "fleet", "route", "miles", "rate", "broker", "name", "tags",
    "count", "value", "items", "true", "false", "null", "er", "in", "on", "an", "re", "at", "es",
    "ing", "ion", "st", "or", "te", "al",
  ]) {
    pieces.push(word, `▁${word}`);
  }
  // SentencePiece scores: higher merges first; prefer longer pieces.
  pieces.forEach((piece, i) => add(piece, [...piece].length * 10 - i / 1000, TokenType.NORMAL));
  return { tokens, scores, types };
}

/**
 * Writes a valid GGUF v3 llama model with seeded random F32 weights to `path`.
 * Returns basic facts about what was written.
 */
export function writeTinyGguf(
  path: string,
  options: { seed?: number; contextLength?: number; shape?: Partial<Record<"nEmbd" | "nHead" | "nHeadKv" | "nFf" | "nLayer", number>> } = {},
): { bytes: number; vocabSize: number; tensorCount: number } {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  // A bigger shape (the assistant bench's) makes token time weights-bound like a real model's.
  const { nEmbd, nHead, nHeadKv, nFf, nLayer, alignment } = { ...TINY_GGUF, ...options.shape };
  // A real prompt (facts and instructions) needs more room than the spike's default.
  const contextLength = options.contextLength ?? TINY_GGUF.contextLength;
  const headDim = nEmbd / nHead;
  const nEmbdKv = headDim * nHeadKv;
  const vocab = tinyVocab();
  const nVocab = vocab.tokens.length;

  const randomTensor = (name: string, dims: number[], scale: number): TensorSpec => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (random() * 2 - 1) * scale;
    return { name, dims, data };
  };
  const onesTensor = (name: string, dims: number[]): TensorSpec => ({
    name,
    dims,
    data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1),
  });

  // Dimensions in GGUF order: [input (row length), output].
  const tensors: TensorSpec[] = [
    randomTensor("token_embd.weight", [nEmbd, nVocab], 0.5),
    onesTensor("output_norm.weight", [nEmbd]),
    randomTensor("output.weight", [nEmbd, nVocab], 0.5),
  ];
  for (let i = 0; i < nLayer; i++) {
    const p = `blk.${i}`;
    tensors.push(
      onesTensor(`${p}.attn_norm.weight`, [nEmbd]),
      randomTensor(`${p}.attn_q.weight`, [nEmbd, nEmbd], 0.1),
      randomTensor(`${p}.attn_k.weight`, [nEmbd, nEmbdKv], 0.1),
      randomTensor(`${p}.attn_v.weight`, [nEmbd, nEmbdKv], 0.1),
      randomTensor(`${p}.attn_output.weight`, [nEmbd, nEmbd], 0.1),
      onesTensor(`${p}.ffn_norm.weight`, [nEmbd]),
      randomTensor(`${p}.ffn_gate.weight`, [nEmbd, nFf], 0.1),
      randomTensor(`${p}.ffn_up.weight`, [nEmbd, nFf], 0.1),
      randomTensor(`${p}.ffn_down.weight`, [nFf, nEmbd], 0.1),
    );
  }

  const u32 = (value: number): MetaValue => ({ type: GgufType.UINT32, value });
  const metadata: [string, MetaValue][] = [
    ["general.architecture", { type: GgufType.STRING, value: "llama" }],
    ["general.name", { type: GgufType.STRING, value: `haulbox-tiny-test-${seed}` }],
    ["general.alignment", u32(alignment)],
    ["llama.vocab_size", u32(nVocab)],
    ["llama.context_length", u32(contextLength)],
    ["llama.embedding_length", u32(nEmbd)],
    ["llama.block_count", u32(nLayer)],
    ["llama.feed_forward_length", u32(nFf)],
    ["llama.attention.head_count", u32(nHead)],
    ["llama.attention.head_count_kv", u32(nHeadKv)],
    ["llama.rope.dimension_count", u32(headDim)],
    ["llama.rope.freq_base", { type: GgufType.FLOAT32, value: 10000 }],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufType.FLOAT32, value: 1e-5 }],
    ["tokenizer.ggml.model", { type: GgufType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: GgufType.ARRAY, itemType: GgufType.STRING, value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: GgufType.ARRAY, itemType: GgufType.FLOAT32, value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: GgufType.ARRAY, itemType: GgufType.INT32, value: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
    ["tokenizer.ggml.add_bos_token", { type: GgufType.BOOL, value: true }],
    ["tokenizer.ggml.add_eos_token", { type: GgufType.BOOL, value: false }],
  ];

  const w = new ByteWriter();
  w.u32(0x46554747); // "GGUF" as bytes 47 47 55 46
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);

  const writeScalar = (type: GgufType, value: number | string | boolean): void => {
    switch (type) {
      case GgufType.UINT32: w.u32(value as number); break;
      case GgufType.INT32: w.i32(value as number); break;
      case GgufType.FLOAT32: w.f32(value as number); break;
      case GgufType.BOOL: w.u8(value ? 1 : 0); break;
      case GgufType.STRING: w.str(value as string); break;
      default: throw new Error(`tiny-gguf: unsupported scalar type ${type}`);
    }
  };
  for (const [key, meta] of metadata) {
    w.str(key);
    w.u32(meta.type);
    if (meta.type === GgufType.ARRAY) {
      w.u32(meta.itemType);
      w.u64(meta.value.length);
      for (const item of meta.value) writeScalar(meta.itemType, item);
    } else {
      writeScalar(meta.type, meta.value);
    }
  }

  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(offset);
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }
  w.padTo(alignment);
  const dataStart = w.length;
  tensors.forEach((t, i) => {
    if (w.length - dataStart !== offsets[i]) throw new Error("tiny-gguf: tensor offset mismatch");
    w.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.padTo(alignment);
  });

  const out = w.result();
  writeFileSync(path, out);
  return { bytes: out.length, vocabSize: nVocab, tensorCount: tensors.length };
}
