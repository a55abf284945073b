// The function the x benchmark runs on every target.
export function answer(): number {
  return 42;
}
