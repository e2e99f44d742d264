/**
 * How the server turns the `phone` field into WhatsApp ids (contactToArray):
 * a string may hold several numbers separated by ',' or ';', or it is an array;
 * non-word characters are stripped and a suffix is appended.
 */
export interface AddressFlags {
  isGroup?: unknown;
  isNewsletter?: unknown;
  isLid?: unknown;
}

export function contactToArray(phone: unknown, flags: AddressFlags): string[] {
  const entries = Array.isArray(phone)
    ? phone.map((entry) => String(entry))
    : typeof phone === 'string' && phone !== ''
      ? phone.split(/\s*[,;]\s*/g)
      : [];
  const ids: string[] = [];
  for (const entry of entries) {
    const local = entry.split('@')[0] ?? '';
    const contact = flags.isGroup || flags.isNewsletter ? local : local.replace(/[^\w ]/g, '');
    if (contact === '') continue;
    if (flags.isGroup) ids.push(`${contact}@g.us`);
    else if (flags.isNewsletter) ids.push(`${contact}@newsletter`);
    else if (flags.isLid || contact.length > 14) ids.push(`${contact}@lid`);
    else ids.push(`${contact}@c.us`);
  }
  return ids;
}

/** Only plain phone ids go through checkNumberStatus on the server. */
export function isPhoneId(id: string): boolean {
  return id.endsWith('@c.us');
}

export function digitsOf(id: string): string {
  return id.split('@')[0] ?? '';
}
