/** A response body as JSON when it is JSON, else the text itself (error pages), else undefined when empty. */
export function parseResponseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
