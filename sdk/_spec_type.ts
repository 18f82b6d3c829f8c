/**
 * The {@link Spec} type: a runtime mirror of a response type that must list
 * exactly the type's fields, with the right JSON kind and nullability, so
 * the type cannot change without its mirror (a compile error).
 *
 * @module
 */

type Kind<V> = [V] extends [boolean] ? "boolean"
  : [V] extends [string] ? "string"
  : [V] extends [number] ? "number" | "integer"
  : [V] extends [readonly unknown[]] ? "array"
  : [V] extends [object] ? "object"
  : never;

type EnumOf<V> = [V] extends [string] ? (string extends V ? never : { enum: readonly V[] })
  : never;

/**
 * The mirror of one field of type `V`.
 *
 * @example
 * ```ts
 * const f: FieldSpec<string | null> = "string|null";
 * ```
 */
export type FieldSpec<V> = unknown extends V ? "any"
  : null extends V ? `${Kind<NonNullable<V>>}|null` | (EnumOf<NonNullable<V>> & { nullable: true })
  : Kind<V> | EnumOf<V>;

/**
 * The mirror of type `T`: every field, exactly.
 *
 * @example
 * ```ts
 * const s: Spec<{ a: number; b: string | null }> = { a: "integer", b: "string|null" };
 * ```
 */
export type Spec<T> = { readonly [K in keyof T]-?: FieldSpec<T[K]> };

/**
 * Where a schema is found in the document: a component, a route's 200/201
 * JSON answer, or either followed by a path of property names (`items` for
 * an array's items).
 *
 * @example
 * ```ts
 * const at: SpecTarget = { component: "Sandbox", path: ["containers", "items"] };
 * ```
 */
export type SpecTarget =
  & ({ component: string } | { route: readonly [string, string] })
  & { path?: string[] };

/**
 * One mirror and where its schema is.
 *
 * @example
 * ```ts
 * const e: SpecEntry = { name: "Health", at: { route: ["GET", "/health"] }, spec: {} };
 * ```
 */
export interface SpecEntry {
  name: string;
  at: SpecTarget;
  spec: Record<string, unknown>;
}
