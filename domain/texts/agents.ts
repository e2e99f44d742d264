/**
 * What agents read in the Chatwoot inbox from the system (private notes, readable renderings of
 * what WhatsApp sends), in European Portuguese like the rest of the inbox.
 */
import { listInPortuguese } from '../portuguese-list.ts';
import type { CorrectableItem } from '../registration-items.ts';
import { correctionItemLabels } from './registration.ts';

const by = (reviewer: string | null) => reviewer ?? '—';

export const agentNotes = {
  /**
   * A registration from the bot is waiting for a reviewer: the name and the reviewers' link, no more
   * (the NIF, address and e-mail stay with the registration, behind the reviewers' login).
   */
  registrationReceived: (fullName: string, link: string) => `Registo de motorista de ${fullName} recebido pelo bot, a aguardar revisão. Rever: ${link}`,
  registrationApproved: (reviewer: string | null, link: string) => `Registo aprovado por ${by(reviewer)}. A decisão foi enviada ao motorista no WhatsApp. ${link}`,
  registrationRejected: (reviewer: string | null, reason: string | null, link: string) =>
    `Registo rejeitado por ${by(reviewer)}${reason === null ? '' : `: ${reason.trim().replace(/\.+$/, '')}`}. A decisão foi enviada ao motorista no WhatsApp. ${link}`,
  /** `items`: what the driver was asked to redo (null when the decision is not at hand). */
  correctionRequested: (reviewer: string | null, items: readonly CorrectableItem[] | null, link: string) =>
    `Correção pedida por ${by(reviewer)}${items === null ? '' : `: ${listInPortuguese(items.map((item) => correctionItemLabels[item]))}`}. ${link}`,

  /** The driver wrote "atendente": the bot stepped back. */
  botHandedOver: () =>
    'O motorista pediu para falar com uma pessoa; o bot ficou em pausa nesta conversa. Para o retomar, escreva a nota privada /bot, adicione a etiqueta retomar-bot ou resolva a conversa.',
  /** A driver's file over the media limit, not attached. */
  fileTooLarge: (sizeMb: string, limitMb: number) =>
    `O motorista enviou um ficheiro de ${sizeMb} MB, acima do limite de ${limitMb} MB; não foi anexado. Peça-lhe que o envie por outra via.`,
  /** A driver's executable or script, never attached. */
  executableRefused: (mediaType: string) => `O motorista enviou um ficheiro executável (${mediaType}); por segurança não foi anexado.`,
  /** A driver's photo or file WPPConnect could not decrypt, after a few tries. */
  mediaUndecryptable: () => 'O motorista enviou uma fotografia ou um ficheiro que o WhatsApp não deixou descarregar (erro ao desencriptar, mesmo após várias tentativas). Peça-lhe que o envie de novo.',
  /** An agent's reply WhatsApp refused for good. */
  replyNotDelivered: (reason: string) => `Esta mensagem não chegou ao WhatsApp do motorista: ${reason.replace(/\.+$/, '')}. Verifique o número ou tente de novo.`,
  /** The driver deleted a message for everyone: the note goes in reply to it, which stays as evidence. */
  driverDeleted: () => 'O motorista apagou esta mensagem para todos no WhatsApp. O original fica aqui como registo.',
  /** An agent deleted a reply that WhatsApp had already delivered too long ago to delete it there. */
  replyNotDeletable: (hours: number) =>
    `Esta mensagem foi apagada aqui, mas continua no WhatsApp do motorista: o WhatsApp só deixa apagar para todos durante ${hours} horas após o envio.`,
};

/** How WhatsApp messages without text read in the inbox. */
export const agentRenderings = {
  location: (place: string | null, lat: number, lng: number) => `📍 Localização: ${place ? `${place} — ` : ''}https://maps.google.com/?q=${lat},${lng}`,
  contactCard: (name: string | null, phones: string[]) => `📇 Contacto: ${name ?? 'sem nome'}${phones.length > 0 ? ` (${phones.join(', ')})` : ''}`,
  /** A message of the bot's, mirrored into the conversation: marked so agents tell it from people's. */
  botMessage: (text: string) => `🤖 ${text}`,
  /** A picture or file the bot sent, as a line agents can open. */
  botMedia: (caption: string | null, mediaType: string, url: string) => `🤖 ${caption === null || caption === '' ? '' : `${caption}\n`}[${mediaType}] ${url}`,
  /** A WhatsApp group's message: who wrote it (WhatsApp name and number, when known), then the text. */
  groupMessage: (name: string | null, phone: string | null, text: string | null) => {
    const who = [name, phone === null ? null : `(+${phone})`].filter((part) => part !== null && part !== '').join(' ') || 'Participante';
    return text === null || text === '' ? `${who}:` : `${who}: ${text}`;
  },
  /** The option a driver chose in a list or from buttons. */
  choice: (option: string | null) => `↩️ Escolheu: ${option ?? '(opção sem texto)'}`,
  /** A poll the driver created in the chat. */
  poll: (question: string | null) => `📊 Sondagem${question === null ? '' : `: ${question}`} (as opções e os votos só se veem no WhatsApp)`,
  /** A message the driver deleted before the bridge could relay it. */
  deletedBeforeRelay: () => '🚫 O motorista apagou esta mensagem antes de ela chegar aqui.',
  /** A message WhatsApp had not decrypted yet ("A aguardar esta mensagem"). */
  notDecrypted: () => '⏳ O WhatsApp ainda não conseguiu desencriptar esta mensagem. Peça ao motorista que a envie de novo se não aparecer.',
  /** Any other kind of WhatsApp message without text. */
  unreadable: (type: string) => `[Mensagem do WhatsApp do tipo "${type}", que não tem texto para mostrar aqui. Veja-a no telemóvel da empresa.]`,
  /** A driver's reaction to a message, shown in reply to it; an empty emoji is the reaction taken back. */
  reaction: (emoji: string) => (emoji === '' ? 'Retirou a reação a esta mensagem.' : `Reagiu com ${emoji}`),
  /** The Chatwoot contact a WhatsApp group is filed under (WhatsApp gives the bridge no group name). */
  groupContactName: (groupId: string) => `Grupo WhatsApp ${groupId.split('@')[0]}`,
};

/**
 * The private notes of a history import (the chat's WhatsApp messages from before the bridge, or a
 * backfill an operator ran), and how an imported message is marked. `from`/`to` are dates as
 * agents read them (dd/mm/aaaa).
 */
export const historyNotes = {
  /** `count` messages to import now, stamped from `from` to `to`. */
  started: (count: number, from: string, to: string) =>
    `🕘 A importar o histórico do WhatsApp: ${count} ${count === 1 ? 'mensagem' : 'mensagens'} de ${from} a ${to}. Aparecem abaixo, pela ordem, marcadas como importadas; as novas continuam a chegar entretanto.`,
  /** `done` of the `total` messages of those days are in the conversation now. */
  progress: (done: number, total: number) => `🕘 Histórico do WhatsApp: ${done} de ${total} mensagens desses dias já estão nesta conversa.`,
  finished: (total: number, from: string, to: string) =>
    `✅ Histórico do WhatsApp importado: ${total === 1 ? 'a mensagem' : `as ${total} mensagens`} de ${from} a ${to} ${total === 1 ? 'está' : 'estão'} nesta conversa.`,
  /** An imported message: when it was sent, who sent it (the company's phone, or the driver), then what it said. */
  importedMessage: (at: string, fromCompany: boolean, text: string | null) =>
    `[Importada · ${at}${fromCompany ? ' · enviada pelo telemóvel da empresa' : ''}]${text === null || text === '' ? '' : `\n${text}`}`,
};

/** The WhatsApp session's states, as the operations conversation names them. */
export const sessionStateLabels = {
  CONNECTED: 'ligado',
  PHONE_OFFLINE: 'ligado ao servidor, mas o telemóvel da empresa está sem ligação',
  QRCODE: 'à espera de que o código QR seja lido no telemóvel da empresa',
  INITIALIZING: 'preso a iniciar (o servidor WPPConnect não arrancou o navegador)',
  CLOSED: 'fechado (sessão terminada no telemóvel ou no servidor)',
  UNREACHABLE: 'sem resposta do servidor WPPConnect',
};

/** Private notes in the operations conversation (CHATWOOT_OPERATIONS_CONVERSATION) about the WhatsApp session. */
export const operationsNotes = {
  /** The session left CONNECTED: what it is now, and that messages wait (nothing is lost). */
  sessionDown: (state: string, at: string, waiting: number) =>
    `⚠️ O WhatsApp da empresa deixou de estar ligado às ${at}: ${state}. As mensagens ficam em fila e seguem pela ordem quando voltar${waiting > 0 ? ` (${waiting} à espera de envio)` : ''}.`,
  /** A QR code (attached) waits to be scanned; posted again whenever it changes. */
  qrCode: (at: string) =>
    `📱 Para voltar a ligar o WhatsApp, abra o WhatsApp no telemóvel da empresa, Definições → Dispositivos ligados → Ligar um dispositivo, e leia o código QR em anexo (gerado às ${at}; é substituído se mudar).`,
  /** The session is CONNECTED again after an outage. */
  sessionBack: (at: string, minutes: number, waiting: number) =>
    `✅ O WhatsApp da empresa está ligado de novo desde as ${at}, após ${minutes < 1 ? 'menos de 1 minuto' : `${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`} sem ligação. ${waiting === 0 ? 'Não havia mensagens à espera.' : `${waiting} ${waiting === 1 ? 'mensagem à espera segue' : 'mensagens à espera seguem'} agora, pela ordem.`}`,
};
