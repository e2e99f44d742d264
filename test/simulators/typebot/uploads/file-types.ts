/**
 * A file input's `allowedFileTypes.types` (extensions such as "jpg", or "image/*") as the
 * extension and MIME type pairs Typebot checks: answers by URL extension (any case),
 * generate-upload-url by the declared `fileType`.
 */

const extensionByMimeType: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/bmp': 'bmp',
  'image/tiff': 'tif',
  'image/svg+xml': 'svg',
  'application/pdf': 'pdf',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/zip': 'zip',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
};

export interface FileTypeMetadata {
  extension: string;
  mimeType?: string;
}

export function allowedFileTypes(options: { isEnabled?: boolean; types?: string[] } | undefined): FileTypeMetadata[] | undefined {
  const types = options?.types ?? [];
  if (options?.isEnabled !== true || types.length === 0) return undefined;
  const wildcards = types.filter((type) => type.endsWith('/*')).map((type) => type.split('/')[0]);
  const known = Object.entries(extensionByMimeType)
    .filter(([mimeType, extension]) => types.includes(extension) || wildcards.includes(mimeType.split('/')[0]))
    .map(([mimeType, extension]) => ({ extension, mimeType }));
  const unknown = types.filter((type) => !type.includes('/') && !known.some((entry) => entry.extension === type)).map((extension) => ({ extension }));
  return [...known, ...unknown];
}

/** Whether the URL's text after its last dot is an allowed extension (Typebot's check: no URL parsing). */
export const hasAllowedExtension = (url: string, allowed: readonly FileTypeMetadata[]) => {
  const extension = url.split('.').pop()?.toLowerCase() ?? '';
  return allowed.some((entry) => entry.extension.toLowerCase() === extension);
};
