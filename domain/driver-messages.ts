import type { CorrectableItem, Decision } from './registration.ts';

/** Everything the driver reads on WhatsApp about their registration, in European Portuguese. */
const itemLabels: Record<CorrectableItem, string> = {
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

const firstName = (fullName: string) => fullName.split(' ')[0] ?? fullName;

function listInPortuguese(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} e ${items[items.length - 1]}`;
}

/** "a, b e c": what the reviewer asked the driver to redo, in pt-PT. */
export const correctionItemsText = (items: CorrectableItem[]) => listInPortuguese(items.map((item) => itemLabels[item]));

export function decisionMessage(fullName: string, decision: Decision): string {
  const name = firstName(fullName);
  switch (decision.kind) {
    case 'approved':
      return `Olá ${name}! O seu registo como motorista da Léguas Franzinas foi aprovado. Bem-vindo à equipa! Vamos contactá-lo em breve com os próximos passos.`;
    case 'rejected':
      return `Olá ${name}. Analisámos o seu registo como motorista da Léguas Franzinas e, infelizmente, não o podemos aprovar. Motivo: ${decision.reason} Se a situação mudar, pode registar-se novamente.`;
    case 'correction_requested':
      return [
        `Olá ${name}. Para concluirmos o seu registo como motorista da Léguas Franzinas, precisamos que corrija: ${correctionItemsText(decision.items)}.`,
        decision.message,
        'Pode reenviar os dados pelo mesmo formulário de registo.',
      ].filter((line) => line.trim() !== '').join('\n\n');
  }
}

export function reviewerReminderMessage(registrationId: string, waitingHours: number, link: string): string {
  return `Lembrete: o registo de motorista ${registrationId} aguarda decisão há ${waitingHours} horas. Reveja em ${link}`;
}
