/**
 * Why the intake refuses a document the driver sent (licence front and back, proof of address):
 * Typebot's HTTP Request block gets it as `error` and the flow shows it to the driver, and the API
 * also answers it per field. `label` is the document's name as the driver knows it
 * (`documentLabels`); it is quoted after "O ficheiro", so every adjective agrees with "ficheiro"
 * whatever the label's gender; the label has parentheses of its own, so it is always between « ».
 */
import type { DocumentKind } from '../registration-items.ts';

const decimal = new Intl.NumberFormat('pt-PT', { maximumFractionDigits: 1 });
const megabytes = (bytes: number) => decimal.format(bytes / (1024 * 1024));

/** The three documents, named as the driver knows them. */
export const documentLabels: Record<DocumentKind, string> = {
  licence_front: 'carta de condução (frente)',
  licence_back: 'carta de condução (verso)',
  proof_of_address: 'comprovativo de morada',
};

/** The document's answer in the submission: missing, or not a file or link at all. */
export const documentSourceErrors = {
  missing: (label: string) => `Falta enviar o ficheiro «${label}».`,
  invalid: (label: string) => `O ficheiro enviado em «${label}» não é válido.`,
  notHttp: (label: string) => `O ficheiro enviado em «${label}» não é válido: só são aceites ligações http ou https.`,
};

/** Fetching a document from the link in the submission (only from allowed hosts, within a time and size limit). */
export const documentDownloadErrors = {
  addressNotAllowed: (label: string) => `O endereço do ficheiro «${label}» não é permitido.`,
  originNotAllowed: (label: string) => `O endereço do ficheiro «${label}» não é de uma origem autorizada.`,
  downloadFailed: (label: string) => `Não foi possível descarregar o ficheiro «${label}». Tente enviá-lo novamente.`,
  tooManyRedirects: (label: string) => `O endereço do ficheiro «${label}» redireciona demasiadas vezes.`,
  tooSlow: (label: string) => `Não foi possível descarregar o ficheiro «${label}» a tempo. Tente novamente.`,
};

/** The document's content: size, type (told by its bytes), and whether it is a readable image or PDF. */
export const documentContentErrors = {
  tooLarge: (label: string, bytes: number, maxBytes: number) =>
    `O ficheiro «${label}» é demasiado grande (${megabytes(bytes)} MB). O limite é de ${megabytes(maxBytes)} MB por ficheiro.`,
  empty: (label: string) => `O ficheiro «${label}» chegou vazio. Envie-o novamente.`,
  unsupportedType: (label: string) =>
    `O ficheiro «${label}» não está num formato aceite. Envie uma fotografia (JPEG, PNG, WebP ou HEIC) ou um PDF.`,
  /** The submission declared one type (a data URL's), the content is another. */
  typeMismatch: (label: string, declared: string, actual: string) =>
    `O ficheiro «${label}» diz ser ${declared}, mas o conteúdo é ${actual}. Envie o ficheiro original.`,
  notAnImage: (label: string) => `O ficheiro «${label}» não é uma imagem válida. Tire uma nova fotografia e envie-a novamente.`,
  tooManyPixels: (label: string, maxPixels: number) =>
    `O ficheiro «${label}» tem uma resolução demasiado elevada (máximo de ${decimal.format(maxPixels / 1_000_000)} megapíxeis). ` +
    'Envie uma fotografia com menor resolução.',
  notAPdf: (label: string) => `O ficheiro «${label}» não é um PDF válido (pode ter chegado incompleto). Envie-o novamente.`,
  pdfWithoutPages: (label: string) => `O ficheiro «${label}» é um PDF sem páginas legíveis. Envie outro ficheiro.`,
  /** A PDF that would take more work to check than any real document needs (limits in pdf-structure.ts). */
  tooComplex: (label: string) =>
    `O ficheiro «${label}» é demasiado complexo para ser verificado. Envie uma digitalização simples ou uma fotografia do documento.`,
  /** The check ran out of time (DOCUMENT_CHECK_TIMEOUT). */
  checkTimedOut: (label: string) =>
    `Não foi possível verificar o ficheiro «${label}» a tempo. Envie uma versão mais leve (uma fotografia ou um PDF mais pequeno).`,
};
