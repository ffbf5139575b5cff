/** One reason a value was refused: where (a JSON pointer-ish path, e.g. `/data/quantity`) and why. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** What a domain parser (parseSale, parseMovementEvent) returns: a success carrying the value, or every error. */
export type ParseResult =
  { readonly ok: true } | { readonly ok: false; readonly errors: readonly FieldIssue[] };
