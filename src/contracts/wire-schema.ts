/**
 * A small description language for the JSON wire shapes of the AWS APIs, as their service models
 * state them (types, required members, lengths, ranges, patterns, enums). The http layer validates
 * input against these; `Infer` gives the TypeScript type of what passed.
 */
export type Schema = StringSchema | IntegerSchema | BooleanSchema | ListSchema | StructureSchema;

export interface StringSchema {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  /** The model's pattern, as text (error messages quote it). */
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export interface IntegerSchema {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanSchema {
  readonly type: 'boolean';
}

export interface ListSchema {
  readonly type: 'list';
  readonly member: Schema;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureSchema {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
}

type InferMembers<M extends Readonly<Record<string, Schema>>, R extends string> = {
  readonly [K in keyof M as K extends R ? K : never]: Infer<M[K]>;
} & {
  readonly [K in keyof M as K extends R ? never : K]?: Infer<M[K]>;
};

/** The TypeScript type of a value that satisfies the schema. */
export type Infer<S extends Schema> = S extends StringSchema
  ? S['enum'] extends readonly (infer E)[]
    ? E
    : string
  : S extends IntegerSchema
    ? number
    : S extends BooleanSchema
      ? boolean
      : S extends ListSchema
        ? readonly Infer<S['member']>[]
        : S extends StructureSchema
          ? InferMembers<S['members'], S['required'] extends readonly (infer R extends string)[] ? R : never>
          : never;

export function structure<const M extends Record<string, Schema>, const R extends readonly (keyof M & string)[] = []>(
  members: M,
  required?: R,
): { readonly type: 'structure'; readonly members: M; readonly required: R } {
  return { type: 'structure', members, required: (required ?? []) as R };
}
