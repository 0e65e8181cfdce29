// Option parsers shared by the eva commands: bad values are usage errors (exit 2) naming the flag.
import { UserError } from "./output.ts";

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A whole number from `min` to `max` (inclusive). */
export function wholeNumber(flag: string, min: number, max?: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || (max !== undefined && n > max)) {
      throw new UserError(
        `${flag} must be a whole number ${max !== undefined ? `from ${min} to ${max}` : `of at least ${min}`}, not "${value}"`,
        2,
      );
    }
    return n;
  };
}
