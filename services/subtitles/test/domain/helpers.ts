export { expectThrows } from '@streamplane/testkit';

export function titleId(n: number): string {
  return `tt${String(n).padStart(5, '0')}`;
}
