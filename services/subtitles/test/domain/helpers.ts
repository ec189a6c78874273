export { expectThrows } from '../../../../test/support/expect-errors';

export function titleId(n: number): string {
  return `tt${String(n).padStart(5, '0')}`;
}
