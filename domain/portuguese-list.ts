/** "a", "a e b", "a, b e c": a list as a sentence in Portuguese (no Oxford comma). */
export function listInPortuguese(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} e ${items.at(-1) ?? ''}`;
}
