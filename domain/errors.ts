/**
 * One vocabulary of failures for the whole project.
 *
 * HTTP handlers throw `AppError`s (they carry their status); activities throw
 * `ApplicationFailure`s whose `type` is one of `ErrorType`, so workflows and
 * tests can branch on the same names.
 */
export const ErrorType = {
  MalformedPayload: 'MalformedPayload',
  ValidationFailed: 'ValidationFailed',
  PayloadTooLarge: 'PayloadTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  DocumentUnreadable: 'DocumentUnreadable',
  DocumentSourceRefused: 'DocumentSourceRefused',
  DuplicateRegistration: 'DuplicateRegistration',
  /** A correction not from the registration's own chat and without its valid correction code. */
  CorrectionRefused: 'CorrectionRefused',
  RegistrationNotFound: 'RegistrationNotFound',
  InvalidDecision: 'InvalidDecision',
  Unauthorized: 'Unauthorized',
  /** Authenticated, but the role does not allow it (a reviewer on an operators' route). */
  Forbidden: 'Forbidden',
  NotFound: 'NotFound',
  /** The same work is under way already (an operator's second history import of a chat): wait for it to end. */
  AlreadyRunning: 'AlreadyRunning',
  WhatsAppRecipientUnknown: 'WhatsAppRecipientUnknown',
  ExternalServiceRejected: 'ExternalServiceRejected',
  /** Typebot no longer knows the chat session (the flow ended, or it expired): start a new one. */
  TypebotSessionGone: 'TypebotSessionGone',
  /** Too many requests from one address, or submissions for one NIF or phone: wait and retry. */
  RateLimited: 'RateLimited',
  /** Busy or a dependency unreachable right now: retry later, nothing was done. */
  Unavailable: 'Unavailable',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

const httpStatusOf: Record<ErrorType, number> = {
  MalformedPayload: 400,
  ValidationFailed: 422,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  DocumentUnreadable: 422,
  DocumentSourceRefused: 422,
  DuplicateRegistration: 409,
  CorrectionRefused: 403,
  RegistrationNotFound: 404,
  InvalidDecision: 409,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyRunning: 409,
  WhatsAppRecipientUnknown: 422,
  ExternalServiceRejected: 502,
  TypebotSessionGone: 410,
  RateLimited: 429,
  Unavailable: 503,
};

/** Field name -> human sentence explaining what is wrong with it. */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly type: ErrorType,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = httpStatusOf[type];
  }
}
