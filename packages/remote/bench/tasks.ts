// What the ssh benchmark calls.
export function echo<T>(value: T): T {
  return value;
}
