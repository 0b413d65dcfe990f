/**
 * Error classes that callers catch: a method's invalid proposal, a request past the budget,
 * a cell past its time limit.
 *
 * @module
 */

/** A method proposed or recommended a mixture that is not a valid point of the task's simplex. */
export class InvalidMixtureError extends RangeError {
  /** Id of the method at fault. */
  readonly method: string;

  /**
   * @param method Id of the method at fault.
   * @param message What was wrong.
   * @param options Standard error options (cause).
   */
  constructor(method: string, message: string, options?: ErrorOptions) {
    super(`Method "${method}" returned an invalid mixture: ${message}`, options);
    this.name = "InvalidMixtureError";
    this.method = method;
  }
}

/** A method asked for runs whose cost exceeds the remaining budget. */
export class BudgetExceededError extends RangeError {
  /** Id of the method at fault. */
  readonly method: string;
  /** Cost the method asked for. */
  readonly requested: number;
  /** Budget that was left. */
  readonly remaining: number;

  /**
   * @param method Id of the method at fault.
   * @param requested Cost of the batch it asked for.
   * @param remaining Budget left before the batch.
   */
  constructor(method: string, requested: number, remaining: number) {
    super(
      `Method "${method}" asked for runs costing "${round(requested)}" with "${
        round(remaining)
      }" of the budget left`,
    );
    this.name = "BudgetExceededError";
    this.method = method;
    this.requested = requested;
    this.remaining = remaining;
  }
}

/** A cell ran past its time limit. */
export class TimeLimitError extends Error {
  /** The limit in milliseconds. */
  readonly limitMs: number;

  /** @param limitMs The limit that was exceeded, in milliseconds. */
  constructor(limitMs: number) {
    super(`Cell exceeded its time limit of "${limitMs}" ms`);
    this.name = "TimeLimitError";
    this.limitMs = limitMs;
  }
}

function round(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}

/**
 * A command's input is invalid: a flag, a file (table, card, manifest, results folder) or a
 * method or task name. Raised before anything runs; the CLI prints the message (no stack trace)
 * and exits with code 2.
 */
export class InputError extends Error {
  /**
   * @param message What was wrong and what was expected, naming the flag, file or line.
   * @param options Standard error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InputError";
  }
}
