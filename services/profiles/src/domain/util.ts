/** A value quoted for an error message, shortened so a hostile input cannot flood logs. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}
