/** `value` to `digits` decimal places, as a number: the figures the tools print and report. */
export function roundTo(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
