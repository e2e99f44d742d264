/**
 * The reviewer console (/console) as office staff read it: sign-in, the queue, a registration, the
 * decisions, the operators' pages. The templates (api/console/views) take every word from here.
 */
import type { RegistrationStatus } from '../registration.ts';
import type { CorrectableItem } from '../registration-items.ts';
import { correctionItemLabels } from './registration.ts';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export const consoleStatusLabels: Record<RegistrationStatus, string> = {
  received: 'Recebido',
  pending_approval: 'A aguardar decisão',
  correction_requested: 'Correção pedida',
  approved: 'Aprovado',
  rejected: 'Rejeitado',
  erased: 'Apagado',
};

/** A reviewer's request to redo an item, named as the reviewer ticks it (the driver reads `correctionItemLabels`). */
export const consoleItemLabels: Record<CorrectableItem, string> = { ...correctionItemLabels };

export const consoleFieldLabels = {
  fullName: 'Nome completo', nif: 'NIF', phone: 'Telemóvel', email: 'Email', address: 'Morada', postalCode: 'Código postal', city: 'Localidade',
};

export const consoleDocumentLabels = {
  licence_front: 'Carta de condução (frente)', licence_back: 'Carta de condução (verso)', proof_of_address: 'Comprovativo de morada',
};

/** Ready reasons for a rejection; the reviewer may add words of their own. */
export const consoleRejectionReasons = {
  licence_invalid: 'A carta de condução não é válida ou está fora do prazo.',
  documents_illegible: 'Os documentos enviados não são legíveis.',
  data_mismatch: 'Os dados não coincidem com os documentos enviados.',
  not_eligible: 'Neste momento não cumpre os requisitos para motorista.',
};

export const consoleNav = {
  product: 'Léguas Franzinas — Consola de registos',
  main: 'Navegação principal', queue: 'Registos', whatsapp: 'WhatsApp', audit: 'Auditoria', accounts: 'Contas', signOut: 'Sair', skip: 'Saltar para o conteúdo',
};

export const consoleRoles = { reviewer: 'revisor', operator: 'operador' };

export const consoleSignIn = {
  title: 'Entrar',
  name: 'Utilizador',
  password: 'Palavra-passe',
  submit: 'Entrar',
  wrong: 'Utilizador ou palavra-passe incorretos.',
  tooMany: (minutes: number) => `Demasiadas tentativas. Tente novamente daqui a ${plural(minutes, 'minuto', 'minutos')}.`,
  expired: 'A sua sessão terminou. Entre novamente.',
  signedOut: 'Saiu da consola.',
  sso: 'Entrar com a conta da empresa',
  or: 'ou',
  ssoRefused: 'Não foi possível entrar com a conta da empresa. Se o problema continuar, peça ao operador que confirme o seu acesso à consola.',
};

export const consoleQueue = {
  title: 'Registos',
  all: 'Todos',
  search: 'Procurar por nome, NIF, telemóvel ou número do registo',
  searchButton: 'Procurar',
  clear: 'Limpar',
  newestFirst: 'Mais recentes primeiro',
  oldestFirst: 'Mais antigos primeiro',
  order: 'Ordem',
  name: 'Nome',
  status: 'Estado',
  submitted: 'Submetido',
  waiting: 'Em espera',
  city: 'Localidade',
  none: 'Nenhum registo corresponde.',
  shown: (from: number, to: number, total: number) => `${from}–${to} de ${total}`,
  pages: 'Páginas',
  previous: 'Anterior',
  next: 'Seguinte',
  target: 'Objetivo: decisão em 48 horas (âmbar após 24 h, vermelho após 48 h).',
  nameScanCapped: (limit: number) => `A procura por nome abrange os ${limit} registos mais recentes.`,
  waited: (hours: number) => (hours < 1 ? 'menos de 1 h' : hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d ${hours % 24} h`),
};

export const consoleRegistration = {
  title: 'Registo',
  back: 'Voltar aos registos',
  fields: 'Dados do motorista',
  documents: 'Documentos',
  revision: (number: number) => `Revisão ${number}`,
  current: 'atual',
  changed: 'alterado',
  timeline: 'Histórico',
  links: 'Ligações',
  chatwoot: 'Conversa no Chatwoot',
  temporal: 'Processo no Temporal',
  decidedBy: (who: string, when: string) => `Decidido por ${who} em ${when}.`,
  correction: 'Correção pedida',
  rejectionReason: 'Motivo da rejeição',
  openDocument: 'Abrir',
  download: 'Descarregar',
  zoomIn: 'Ampliar',
  zoomOut: 'Reduzir',
  rotate: 'Rodar',
  pdfNote: 'PDF mostrado num enquadramento isolado, sem acesso à consola. Se não aparecer, descarregue-o.',
  noThumbnail: 'Sem miniatura',
  id: 'Número do registo',
  submitted: 'Submetido em',
};

export const consoleDecisions = {
  title: 'Decisão',
  approve: 'Aprovar',
  reject: 'Rejeitar',
  correct: 'Pedir correção',
  reason: 'Motivo',
  reasonOwn: 'Outro motivo ou pormenor (opcional)',
  items: 'O que deve ser corrigido',
  message: 'Mensagem para o motorista (opcional)',
  preview: 'Pré-visualizar',
  previewTitle: 'O motorista vai ler',
  confirm: 'Confirmar e enviar',
  cancel: 'Voltar',
  code: '(o código de correção é gerado no envio)',
  approved: 'Registo aprovado. A decisão segue para o motorista no WhatsApp.',
  rejected: 'Registo rejeitado. A decisão segue para o motorista no WhatsApp.',
  correctionRequested: 'Correção pedida. A decisão segue para o motorista no WhatsApp.',
  alreadyDecided: (who: string, when: string, status: string) => `Este registo já foi decidido por ${who} em ${when} (${status}).`,
  notAwaiting: 'Este registo não está a aguardar decisão.',
  needReason: 'Escolha um motivo ou escreva um.',
  needItems: 'Assinale pelo menos um documento ou dado a corrigir.',
};

export const consoleTimeline = {
  submitted: 'Registo submetido',
  documentsPrepared: 'Documentos preparados',
  reminder: (number: number) => `Lembrete aos revisores (${number}.º)`,
  approved: 'Aprovado',
  rejected: 'Rejeitado',
  correctionRequested: 'Correção pedida',
  refused: 'recusado',
  by: (who: string) => `por ${who}`,
  approvalMessage: 'Mensagem de aprovação ao motorista',
  rejectionMessage: 'Mensagem de rejeição ao motorista',
  correctionMessage: 'Pedido de correção ao motorista',
  corrected: 'Correção recebida do motorista',
  exported: 'Dados exportados',
};

/** A WhatsApp message's state as the timeline shows it. */
export const consoleDeliveryStates = { sending: 'a enviar', sent: 'enviada', failed: 'não entregue' };

export const consoleOperator = {
  title: 'Operador',
  export: 'Exportar os dados do motorista (ZIP)',
  erase: 'Apagar os dados do motorista',
  eraseTitle: 'Apagar os dados do motorista',
  eraseWarning: 'Apaga todos os registos deste motorista, os documentos, as fotografias da conversa, a conversa no Chatwoot e os processos no Temporal. Não pode ser desfeito. O motorista recebe uma mensagem no WhatsApp a dizê-lo.',
  eraseConfirmLabel: 'Para confirmar, escreva APAGAR',
  eraseConfirmWord: 'APAGAR',
  eraseButton: 'Apagar definitivamente',
  eraseWrongWord: 'Escreva APAGAR para confirmar.',
  erased: (registrations: number, histories: number) => `Dados apagados: ${plural(registrations, 'registo', 'registos')}, ${plural(histories, 'histórico', 'históricos')} no Temporal.`,
  auditTitle: 'Registo de auditoria',
  auditActor: 'Quem',
  auditAction: 'Ação',
  auditOutcome: 'Resultado',
  auditRegistration: 'Registo',
  auditSince: 'Desde',
  auditUntil: 'Até',
  auditFilter: 'Filtrar',
  auditWhen: 'Quando',
  auditFrom: 'Endereço',
  auditDetails: 'Pormenores',
  accountsTitle: 'Contas',
  accountsNote: 'As contas criam-se e desativam-se com npm run accounts.',
  accountName: 'Nome',
  accountRole: 'Função',
  accountCreated: 'Criada em',
  accountState: 'Estado',
  accountActive: 'ativa',
  accountDisabled: 'desativada',
  disable: 'Desativar',
  enable: 'Reativar',
  ownAccount: 'Não pode desativar a sua própria conta na consola.',
  whatsappTitle: 'WhatsApp da empresa',
  whatsappState: 'Estado',
  whatsappSince: 'Desde',
  whatsappChecked: 'Última verificação',
  whatsappUnknown: 'Ainda sem verificação: o processo da ponte verifica a sessão a cada 30 segundos.',
  whatsappQr: 'Abra o WhatsApp no telemóvel da empresa, Definições → Dispositivos ligados → Ligar um dispositivo, e leia este código.',
};

/** An audit row's outcome, as operators read the log. */
export const consoleAuditOutcomes = { accepted: 'aceite', refused: 'recusado', failed: 'falhou' };

export const consoleErrors = {
  title: 'Não foi possível',
  notFound: 'Página ou registo não encontrado.',
  forbidden: 'Esta página é só para operadores.',
  csrf: 'O formulário expirou ou não veio desta consola. Volte atrás, recarregue a página e tente de novo.',
  invalid: 'O pedido não é válido.',
  tooMany: 'Demasiados pedidos. Aguarde um pouco e tente de novo.',
  unavailable: 'O sistema não respondeu a tempo. Tente de novo dentro de momentos.',
  unexpected: 'Ocorreu um erro inesperado. Tente de novo; se persistir, contacte o operador.',
  back: 'Voltar aos registos',
};
