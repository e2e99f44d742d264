/**
 * The parts of a registration, by name: the documents a driver sends and everything a reviewer may
 * ask to correct. Below both the registration types and the texts that name these parts.
 */
export const documentKinds = ['licence_front', 'licence_back', 'proof_of_address'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** What a reviewer may ask the driver to redo: a document kind or a form field. */
export const correctableItems = [
  ...documentKinds,
  'full_name', 'nif', 'phone', 'email', 'address', 'postal_code', 'city',
] as const;
export type CorrectableItem = (typeof correctableItems)[number];

/** The registration flow's public address with the code that opens it for a correction (the flow's `CodigoCorrecao`). */
export function correctionLink(formUrl: string, code: string): string {
  const url = new URL(formUrl);
  url.searchParams.set('CodigoCorrecao', code);
  return url.toString();
}
