/**
 * The registration bot's own words on WhatsApp, besides the Typebot flow's texts (which are Typebot
 * content, in docs/typebot-flows/): what it says on its own, what it adds to the flow's questions,
 * and Typebot's English system messages in pt-PT. Drivers read all of it.
 */

/** What the bot says on its own, outside the flow. */
export const botLines = {
  reminder:
    'Ainda está por aí? 🙂 Quando puder, responda à última pergunta e continuamos o seu registo de onde ficou.\n' +
    'Escreva *recomeçar* para começar de novo, ou *atendente* para falar com uma pessoa.',
  handOver: 'Com certeza. Vou passar a conversa a um colega da equipa, que lhe responde aqui assim que possível.',
  sessionGone: 'A sua sessão de registo expirou. Escreva *recomeçar* para começar de novo.',
} as const;

/**
 * What the bot adds to a Typebot question on WhatsApp, where Typebot's web widget would show
 * buttons or an upload field instead.
 */
export const botPrompts = {
  /** After a numbered menu that takes several answers. */
  multipleChoice: 'Pode escolher várias opções, separadas por vírgulas (por exemplo: 1, 3).',
  // A file question whose own bubbles say nothing, by the file types it accepts.
  sendPhotoOrPdf: 'Envie uma fotografia ou um PDF.',
  sendPhoto: 'Envie uma fotografia.',
  sendPdf: 'Envie um PDF.',
  sendFile: 'Envie o ficheiro pedido.',
} as const;

/**
 * Typebot's own retry messages, which are English where the flow sets none (choices and files
 * have no setting for it), as drivers read them. The English originals are matched in
 * domain/bot-dialogue.ts.
 */
export const typebotRetries = {
  /** "Invalid message. Please, try again." at a choice: the menu follows. */
  choice: 'Não percebi a sua escolha. Responda com o número ou o texto de uma das opções:',
  /** "Invalid message. Please, try again." at a file question. */
  file: 'Esta pergunta pede um ficheiro. Envie a fotografia ou o PDF pedido, por favor.',
  /** "Invalid message. Please, try again." anywhere else. */
  other: 'Não percebi a resposta. Tente novamente, por favor.',
  /** "This email doesn't seem to be valid. Can you type it again?" */
  email: 'Este email não parece válido. Escreva-o novamente, por favor.',
} as const;
