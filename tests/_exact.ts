/** A regular expression that matches exactly one string, for asserting whole error messages. */

/**
 * Matches `message` and nothing else.
 *
 * @param message The exact expected message.
 * @returns The anchored, escaped pattern.
 */
export function exactly(message: string): RegExp {
  return new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}
