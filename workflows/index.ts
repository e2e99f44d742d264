// Everything the worker bundles. The exported names are the registered workflow types, which
// running workflows carry: the chat workflow keeps the type `conversation` it was started with.
export { driverRegistration } from './driver-registration.ts';
export { chat as conversation } from './chat.ts';
export { whatsappPolling } from './whatsapp-polling.ts';
export { selfRepair } from './self-repair.ts';
export { retention } from './retention.ts';
export { backup } from './backup.ts';
export { whatsappSessionHealth } from './whatsapp-session.ts';
export { historyImport } from './history-import.ts';
