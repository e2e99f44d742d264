/** What the registration bot says on its own, outside the Typebot flow (drivers read it on WhatsApp). */
export const botLines = {
  reminder:
    'Ainda está por aí? 🙂 Quando puder, responda à última pergunta e continuamos o seu registo de onde ficou.\n' +
    'Escreva *recomeçar* para começar de novo, ou *atendente* para falar com uma pessoa.',
  handOver: 'Com certeza. Vou passar a conversa a um colega da equipa, que lhe responde aqui assim que possível.',
  sessionGone: 'A sua sessão de registo expirou. Escreva *recomeçar* para começar de novo.',
} as const;
