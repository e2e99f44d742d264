/**
 * What the registration intake (`POST /drivers/register-typebot/`) answers when it refuses a
 * submission: Typebot's HTTP Request block gets it as `error` and the flow shows it to the driver
 * after "Não foi possível concluir o seu registo.". Field errors are one sentence each, naming the
 * field, so any of them reads on its own. Refusals of the documents are in documents.ts.
 */
import { listInPortuguese } from '../portuguese-list.ts';
import type { CorrectableItem } from '../registration-items.ts';
import { documentLabels } from './documents.ts';
import { correctionItemLabels } from './registration.ts';

/** The form's fields (Typebot variable names), named as the driver knows them. */
export const fieldLabels = {
  nome_completo: 'nome completo',
  nome: 'nome completo',
  nif: 'NIF',
  telefone: 'telefone',
  email: 'email',
  morada: 'morada',
  codigo_postal: 'código postal',
  cidade: 'cidade',
  cnh_frente: documentLabels.licence_front,
  cnh_verso: documentLabels.licence_back,
  comprovante_morada: documentLabels.proof_of_address,
} satisfies Record<string, string>;

export const nameErrors = {
  missing: 'Indique o seu nome completo.',
  tooLong: (max: number) => `O nome é demasiado longo (máximo ${max} caracteres).`,
  digits: 'O nome não pode ter algarismos.',
  characters: 'O nome só pode ter letras, espaços, hífenes e apóstrofos.',
  oneWord: 'Indique o nome completo (nome próprio e apelido).',
};

/** The NIF of a natural person: nine digits, the last a check digit. */
export const nifErrors = {
  missing: 'Indique o seu NIF (número de identificação fiscal).',
  letters: 'O NIF só tem algarismos: retire as letras (incluindo o prefixo PT).',
  format: 'O NIF deve ter 9 algarismos.',
  checkDigit: 'O NIF indicado não é válido: confirme os 9 algarismos.',
  notPerson:
    'Este NIF é de uma empresa ou de outra entidade, não de uma pessoa singular. ' +
    'Para o registo precisamos do seu NIF pessoal.',
};

/** A Portuguese mobile or fixed-line number. */
export const phoneErrors = {
  missing: 'Indique o seu número de telemóvel.',
  format: 'O número de telefone só pode ter algarismos, espaços e o indicativo +351.',
  invalid: 'O número de telefone não é válido: confirme os 9 algarismos.',
  foreign: 'Indique um número de telefone português (indicativo +351).',
  notPersonal:
    'Este número é de tarifa especial, gratuito ou de serviço. ' +
    'Indique o seu número de telemóvel ou de telefone fixo.',
};

export const emailErrors = {
  missing: 'Indique o seu endereço de email.',
  tooLong: (max: number) => `O endereço de email é demasiado longo (máximo ${max} caracteres).`,
  invalid: 'O endereço de email não é válido (exemplo: nome@exemplo.pt).',
};

/** Free text fields (morada, cidade); `label` is the field's name from `fieldLabels`. */
export const freeTextErrors = {
  missing: (label: string) => `O campo «${label}» é obrigatório.`,
  forbiddenCharacters: (label: string) => `O campo «${label}» tem caracteres que não são permitidos.`,
  tooLong: (label: string, max: number) => `O campo «${label}» é demasiado longo (máximo ${max} caracteres).`,
};

export const postalCodeErrors = {
  missing: 'Indique o código postal.',
  format: 'O código postal deve ter o formato 1234-567.',
  leadingZero: 'O código postal não pode começar por 0.',
};

/** The submission as a whole: its shape, several fields at once, and what is already registered. */
export const submissionErrors = {
  /** Several fields refused: their names (in the form's order), then the first field's own sentence. */
  fieldsToFix: (labels: readonly string[], firstError: string) => `Há ${labels.length} campos por corrigir: ${listInPortuguese(labels)}. ${firstError}`,
  /** Refused without a field to name (never expected). */
  notValidated: 'Não foi possível validar os dados do registo.',
  notAnObject: 'O pedido deve ser um objeto JSON com as respostas do formulário.',
  variableWithoutName: 'A lista de variáveis do formulário tem um elemento sem nome.',
  /** `field`: the key as Typebot sent it, lower-cased. */
  repeatedField: (field: string) => `O campo «${field}» aparece mais de uma vez com valores diferentes.`,
  alreadyApproved: 'Este NIF já tem um registo de motorista aprovado. Se precisar de alterar dados, fale connosco.',
  alreadyPending: 'Já existe um registo em análise para este NIF. Aguarde a nossa resposta (até 48 horas).',
  /**
   * A live registration holds the NIF and the submission does not come from it (not from its own
   * chat, no correction code): the same answer whatever the registration's status, so the intake
   * does not tell a stranger whether a NIF belongs to a driver, nor how far their registration is.
   */
  alreadyRegistered:
    'Já existe um registo de motorista para este NIF. Se o registo é seu, continue na conversa de WhatsApp em que o fez ' +
    'ou indique o código de correção que lhe enviámos; se não o reconhece, fale connosco.',
  /** A correction code was given and it is not the registration's current one (wrong, used or expired). */
  correctionCodeRefused:
    'O código de correção não é válido ou já expirou. Indique o código da última mensagem que lhe enviámos no WhatsApp, ' +
    'ou corrija o registo na conversa de WhatsApp em que o fez.',
  /** The registration changed while this submission was being stored (another submission or a decision): nothing was saved. */
  changedMeanwhile: 'O registo foi alterado enquanto enviava os dados e nada foi guardado. Envie-os novamente.',
  /** A reviewer asked for corrections and the same data came back. */
  unchanged: (items: readonly CorrectableItem[]) =>
    `Os dados enviados são iguais aos anteriores. Corrija primeiro: ${listInPortuguese(items.map((item) => correctionItemLabels[item]))}.`,
  /** The request lacks the intake's shared secret (`X-Intake-Token`). */
  unauthorized: 'Pedido não autorizado.',
};

/**
 * The correction dialogue (`POST /drivers/correction-typebot/`): what the flow says before it asks
 * for the items a reviewer named, or why there is nothing to correct.
 */
export const correctionDialogue = {
  /** `message`: the reviewer's words, shown when the driver came by the link (in the chat the request was just sent with them). */
  opening: (items: readonly CorrectableItem[], message: string | null) => [
    `Vamos corrigir o seu registo. Só lhe vou pedir ${items.length === 1 ? 'isto' : 'estes dados'}: ${listInPortuguese(items.map((item) => correctionItemLabels[item]))}.`,
    message === null || message.trim() === '' ? '' : `A equipa escreveu: «${message.trim()}»`,
    'O resto do registo fica como está.',
  ].filter((line) => line !== '').join(' '),
  /** The chat's session names no registration awaiting a correction (already corrected, or decided meanwhile). */
  nothingToCorrect: 'Não há nenhum pedido de correção à espera nesta conversa. Se precisar de ajuda, escreva «atendente».',
};

/** The answer check (`POST /drivers/validate-typebot/`) asked about something the form does not have. */
export const answerCheckErrors = {
  unknownField: 'Este campo não faz parte do formulário de registo.',
};

/** Refusals of the HTTP request itself (Fastify's own errors, and failures on our side), as the driver reads them. */
export const requestErrors = {
  invalidJson: 'O pedido não é um JSON válido.',
  emptyBody: 'O pedido chegou vazio.',
  /** JSON nested deeper than any form's answer (64 levels). */
  tooDeep: 'O pedido tem demasiados níveis de dados encaixados.',
  tooLarge: 'O pedido é demasiado grande. Envie ficheiros mais pequenos.',
  notJson: 'O pedido tem de ser enviado em JSON.',
  wrongLength: 'O tamanho do pedido não corresponde ao conteúdo enviado.',
  missingOrInvalid: 'O pedido tem dados em falta ou inválidos.',
  notProcessed: 'O pedido não pôde ser processado.',
  unavailable: 'O serviço está temporariamente indisponível. Tente novamente dentro de alguns minutos.',
  /** Too many refused or unauthenticated requests from one address. */
  tooManyRequests: 'Recebemos demasiados pedidos. Aguarde alguns minutos e tente novamente.',
  /** Too many submissions for one NIF or one phone number within the window. */
  tooManySubmissions: 'Recebemos demasiados registos com este NIF ou este número de telefone. Tente novamente mais tarde.',
  /** Every intake slot is taken (INTAKE_MAX_IN_FLIGHT). */
  busy: 'Estamos a receber muitos registos neste momento. Tente novamente dentro de alguns segundos.',
};
