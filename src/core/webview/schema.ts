/**
 * A few schema combinators, so that each webview message is defined once: its TypeScript type is
 * inferred from the schema, and the same schema checks what crosses the webview boundary at run
 * time (a page or a saved state can hold anything). Deliberately small: the messages need
 * objects, unions on `type`, arrays, records and a handful of scalars, nothing else.
 */

export interface Schema<T> {
  is(value: unknown): value is T;
}

/** A field that may be absent (or undefined: postMessage drops undefined fields anyway). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

const schema = <T>(is: (value: unknown) => boolean): Schema<T> => ({ is: is as (value: unknown) => value is T });

export const string: Schema<string> = schema((value) => typeof value === 'string');
export const boolean: Schema<boolean> = schema((value) => typeof value === 'boolean');
export const number: Schema<number> = schema((value) => typeof value === 'number' && Number.isFinite(value));
/** A count, a size or a time since the epoch: finite and not negative. */
export const count: Schema<number> = schema((value) => number.is(value) && value >= 0);
export const positiveInteger: Schema<number> = schema((value) => Number.isInteger(value) && (value as number) > 0);

/** Text a page may send: bounded, so a runaway page cannot make the host hold megabytes per message. */
export function text(maxLength: number): Schema<string> {
  return schema((value) => typeof value === 'string' && value.length <= maxLength);
}

export function literal<const T extends readonly (string | number | boolean)[]>(...values: T): Schema<T[number]> {
  return schema((value) => values.includes(value as T[number]));
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return { optional: true, is: (value: unknown): value is T | undefined => value === undefined || inner.is(value) };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema((value) => value === null || inner.is(value));
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  return schema((value) => Array.isArray(value) && value.every((entry) => item.is(entry)));
}

export function record<T>(item: Schema<T>): Schema<Record<string, T>> {
  return schema((value) => isPlainObject(value) && Object.values(value).every((entry) => item.is(entry)));
}

/** An object with at least these fields (others are ignored, not rejected: newer hosts may add some). */
export function object<S extends Shape>(shape: S): Schema<InferObject<S>> & { readonly shape: S } {
  const entries = Object.entries(shape);
  return {
    shape,
    is: (value: unknown): value is InferObject<S> => isPlainObject(value) && entries.every(([key, field]) => field.is(value[key])),
  };
}

/** One of several object schemas, told apart by their `type` field. */
export function messages<const M extends readonly (Schema<{ type: string }> & { shape: { type: Schema<string> } })[]>(...members: M): Schema<Infer<M[number]>> {
  return schema((value) => isPlainObject(value) && members.some((member) => member.is(value)));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
