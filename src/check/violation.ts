/**
 * A broken guarantee, as a scenario reports it: the clause ids it breaks and a message that says
 * what was seen. Scenarios throw it; the runner catches it, shrinks the scenario and prints the
 * message with the run's trace. Any other exception is a fault of the checker or the target
 * (for example a request that got no answer) and is reported as it is.
 */
export class Violation extends Error {
  constructor(
    readonly clauses: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = "Violation";
  }
}

/** Clauses named by an error, if it is a violation. */
export function clausesOf(error: unknown): readonly string[] {
  return error instanceof Violation ? error.clauses : [];
}
