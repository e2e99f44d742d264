// Everything the worker bundles: export each workflow function from here.
export { driverRegistration } from './driver-registration.ts';
export { conversation } from './conversation.ts';
export { whatsappPolling } from './whatsapp-polling.ts';
