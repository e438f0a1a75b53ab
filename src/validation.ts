/**
 * The runtime side of the generated validators: one shape for every check, so the engine, the
 * shells and the conformance checker share one notion of a valid request.
 */

export interface ValidationError {
  /** JSON pointer into the checked value, e.g. `/messages/@alice:example.com/DEV1`. */
  readonly instancePath: string;
  readonly keyword: string;
  readonly message: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly ValidationError[] };

export type Validator<T> = (value: unknown) => Validation<T>;

/** The shape of an ajv standalone validate function. */
export interface CompiledCheck {
  (value: unknown): boolean;
  errors?: ReadonlyArray<{
    instancePath: string;
    keyword: string;
    message?: string;
    params: Record<string, unknown>;
  }> | null;
}

export function validatorOf<T>(compiled: CompiledCheck): Validator<T> {
  return (value) => {
    if (compiled(value)) return { ok: true, value: value as T };
    const errors = (compiled.errors ?? []).map((e) => ({
      instancePath: e.instancePath,
      keyword: e.keyword,
      message: e.message ?? e.keyword,
      params: e.params,
    }));
    return { ok: false, errors };
  };
}

/** One line naming the first offending field, for Matrix error messages. */
export function describeErrors(errors: readonly ValidationError[]): string {
  const first = errors[0];
  if (first === undefined) return "invalid value";
  const missing = first.keyword === "required" ? `/${String(first.params.missingProperty)}` : "";
  const where = `${first.instancePath}${missing}` || "/";
  return first.keyword === "required" ? `missing required field ${where}` : `${where} ${first.message}`;
}
