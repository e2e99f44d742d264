/**
 * A registration after the intake, as people read it on WhatsApp: the reviewer's decision told to
 * the driver, and what reviewers (office staff) are told while a registration waits for them.
 */
import { listInPortuguese } from '../portuguese-list.ts';
import { correctionLink, type CorrectableItem } from '../registration-items.ts';

const firstName = (fullName: string) => fullName.split(' ')[0] ?? fullName;
/** The reviewer's words as a sentence: a final full stop added when they end without one. */
const asSentence = (text: string) => (/[.!?…]$/u.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** What a reviewer may ask the driver to redo, named as the driver knows it. */
export const correctionItemLabels: Record<CorrectableItem, string> = {
  licence_front: 'fotografia da carta de condução (frente)',
  licence_back: 'fotografia da carta de condução (verso)',
  proof_of_address: 'comprovativo de morada',
  full_name: 'nome completo',
  nif: 'NIF',
  phone: 'número de telefone',
  email: 'email',
  address: 'morada',
  postal_code: 'código postal',
  city: 'localidade',
};

/** "a, b e c": the items to redo, as a pt-PT list. */
const correctionItemsText = (items: readonly CorrectableItem[]) => listInPortuguese(items.map((item) => correctionItemLabels[item]));

/** The reviewer's decision, sent to the driver on WhatsApp (in the chat the registration came from, else to the form's phone). */
export const decisionMessages = {
  approved: (fullName: string) =>
    `Olá, ${firstName(fullName)}! O seu registo como motorista da Léguas Franzinas foi aprovado. Damos-lhe as boas-vindas à equipa! Entraremos em contacto consigo em breve com os próximos passos.`,
  /** `reason`: the reviewer's words. */
  rejected: (fullName: string, reason: string) =>
    `Olá, ${firstName(fullName)}. Analisámos o seu registo como motorista da Léguas Franzinas e, infelizmente, não o podemos aprovar. Motivo: ${asSentence(reason)} Se a situação mudar, pode registar-se novamente.`,
  /**
   * `message`: the reviewer's own words, left out when blank. `code`: the correction code that lets
   * the driver correct from outside this chat, and for how many days it is valid. `how`: the bot
   * asks for the items in this chat next (`inChat`), or the registration flow's public address
   * (`formUrl`) opens it for the items alone with the code; otherwise the driver sends the form again.
   */
  correctionRequested: (
    fullName: string, items: readonly CorrectableItem[], message: string, code?: { code: string; validDays: number }, how: { inChat?: boolean; formUrl?: string } = {},
  ) => {
    const link = code !== undefined && how.inChat !== true && how.formUrl !== undefined ? correctionLink(how.formUrl, code.code) : undefined;
    const valid = code === undefined ? '' : `(válido durante ${code.validDays} ${code.validDays === 1 ? 'dia' : 'dias'}). Não o partilhe com ninguém.`;
    return [
      `Olá, ${firstName(fullName)}. Para concluirmos o seu registo como motorista da Léguas Franzinas, precisamos que corrija: ${correctionItemsText(items)}.`,
      message,
      how.inChat === true
        ? 'Vou pedir-lhe aqui, a seguir, só o que é preciso corrigir.'
        : link === undefined ? 'Pode reenviar os dados pelo mesmo formulário de registo.' : `Para corrigir só isso, abra:\n${link}`,
      code === undefined
        ? ''
        : link === undefined ? `Se corrigir fora desta conversa, indique o código de correção ${code.code} ${valid}` : `O endereço leva o seu código de correção ${code.code} ${valid}`,
    ].filter((line) => line.trim() !== '').join('\n\n');
  },
};

/** The driver told that their data was erased, as they asked (the last message the company sends them). */
export const erasureMessages = {
  erased: (fullName: string) =>
    `Olá, ${firstName(fullName)}. Como pediu, apagámos os dados do seu registo de motorista na Léguas Franzinas: os dados pessoais, os documentos e as fotografias que nos enviou. Se um dia quiser voltar a registar-se, basta escrever-nos.`,
};

/** What reviewers read: the reminder on the reviewers' WhatsApp number, and the review API's own refusal. */
export const reviewerMessages = {
  reminder: (registrationId: string, waitingHours: number, link: string) =>
    `Lembrete: o registo de motorista ${registrationId} aguarda decisão há ${waitingHours} horas. Reveja em ${link}`,
  /** A stored document asked for by the review API is gone. */
  documentMissing: 'O documento pedido não existe.',
};
