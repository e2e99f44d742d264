/** The console's words (domain/texts/console.ts), gathered as the templates read them: `it.t.queue.title`. */
import {
  consoleAuditOutcomes, consoleDecisions, consoleDeliveryStates, consoleErrors, consoleNav, consoleOperator, consoleQueue, consoleRegistration, consoleRoles, consoleSignIn, consoleTimeline,
} from '../../domain/texts/console.ts';

export const consoleTexts = {
  product: consoleNav.product,
  nav: consoleNav,
  roles: consoleRoles,
  signIn: consoleSignIn,
  queue: consoleQueue,
  waited: consoleQueue.waited,
  registration: consoleRegistration,
  decisions: consoleDecisions,
  timeline: consoleTimeline,
  delivery: consoleDeliveryStates,
  operator: consoleOperator,
  errors: consoleErrors,
  outcomes: consoleAuditOutcomes,
};
