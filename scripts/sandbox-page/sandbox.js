// @ts-check
/**
 * The sandbox page: the driver's phone (left) and the agents' inbox (right), redrawn from the
 * console's JSON views whenever GET /events says something changed. Every text from the
 * simulators goes in with textContent, never as HTML.
 */

/** @typedef {{ id: number, name: string, kind: string, contentType: string, url: string }} InboxFile */
/** @typedef {{ id: number, type: string, from: string | null, text: string | null, private: boolean, status: string, deleted: boolean, replyTo: number | null, files: InboxFile[], at: string }} InboxMessage */
/** @typedef {{ id: number, status: string, contact: { name: string, phone: string | null } | null, labels: string[], assignee: string | null, messages: InboxMessage[] }} Conversation */
/** @typedef {{ id: string, direction: 'sent' | 'received', type: string, text: string, filename?: string, ack: number, at: string }} PhoneMessage */

const state = {
  /** Drivers WhatsApp has a chat with, and the ones made here that have not written yet. @type {string[]} */
  phones: [],
  /** @type {Set<string>} */
  created: new Set(),
  /** @type {string | null} */
  phone: null,
  /** @type {number | null} */
  conversationId: null,
  /** Which side the user chose last: the inbox follows the phone's driver, or the other way round. @type {'phone' | 'inbox'} */
  follow: 'phone',
  /** @type {Conversation[]} */
  conversations: [],
  /** @type {PhoneMessage[]} */
  chat: [],
  /** An agent is typing in this driver's chat ("a escrever…" on their phone). */
  agentTyping: false,
};

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing`);
  return found;
}

const ui = {
  live: byId('live', HTMLElement),
  error: byId('error', HTMLElement),
  consoleLink: byId('console-link', HTMLAnchorElement),
  temporalLink: byId('temporal-link', HTMLAnchorElement),
  driverSelect: byId('driver-select', HTMLSelectElement),
  newDriver: byId('new-driver', HTMLButtonElement),
  newDriverWithHistory: byId('new-driver-history', HTMLButtonElement),
  driverName: byId('driver-name', HTMLInputElement),
  driverPhone: byId('driver-phone', HTMLElement),
  phoneMessages: byId('phone-messages', HTMLOListElement),
  phoneForm: byId('phone-form', HTMLFormElement),
  phoneText: byId('phone-text', HTMLInputElement),
  uploadForm: byId('upload-form', HTMLFormElement),
  phoneFile: byId('phone-file', HTMLInputElement),
  phoneRead: byId('phone-read', HTMLButtonElement),
  phoneTyping: byId('phone-typing', HTMLElement),
  conversationList: byId('conversation-list', HTMLUListElement),
  noConversations: byId('no-conversations', HTMLElement),
  conversationTitle: byId('conversation-title', HTMLElement),
  conversationStatus: byId('conversation-status', HTMLElement),
  conversationAssignee: byId('conversation-assignee', HTMLElement),
  conversationLabels: byId('conversation-labels', HTMLUListElement),
  assign: byId('assign', HTMLButtonElement),
  resolve: byId('resolve', HTMLButtonElement),
  labelForm: byId('label-form', HTMLFormElement),
  labelInput: byId('label-input', HTMLInputElement),
  inboxMessages: byId('inbox-messages', HTMLOListElement),
  replyForm: byId('reply-form', HTMLFormElement),
  replyText: byId('reply-text', HTMLTextAreaElement),
  noteSend: byId('note-send', HTMLButtonElement),
};

// --- Talking to the console ------------------------------------------------------------------------

/**
 * The route's JSON answer; a refusal becomes an error carrying the console's explanation.
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = /** @type {unknown} */ (await response.json().catch(() => ({})));
  if (!response.ok) {
    const detail = typeof answer === 'object' && answer !== null && 'error' in answer ? String(answer.error) : response.statusText;
    throw new Error(`O pedido falhou (${response.status}): ${detail}`);
  }
  return answer;
}

/** @param {unknown} error */
function showError(error) {
  ui.error.textContent = error instanceof Error ? error.message : String(error);
}

/**
 * Runs an action from a control, shows its failure, and redraws.
 * @param {() => Promise<unknown>} action
 */
async function act(action) {
  try {
    await action();
    ui.error.textContent = '';
  } catch (error) {
    showError(error);
  }
  await refresh();
}

// --- Reading both sides ------------------------------------------------------------------------------

let refreshing = false;
let again = false;

/** Reads the views again and redraws; calls while one runs are folded into one more. */
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      await load();
    } while (again);
  } catch (error) {
    showError(error);
  } finally {
    refreshing = false;
  }
}

async function load() {
  const phone = state.phone;
  const [drivers, inbox, chat] = await Promise.all([
    api('GET', '/whatsapp').then((answer) => /** @type {{ phones: string[] }} */ (answer)),
    api('GET', '/chatwoot').then((answer) => /** @type {{ conversations: Conversation[] }} */ (answer)),
    phone === null ? Promise.resolve({ chat: [], agentTyping: false }) : api('GET', `/whatsapp/${encodeURIComponent(phone)}`).then((answer) => /** @type {{ chat: PhoneMessage[], agentTyping: boolean }} */ (answer)),
  ]);
  // The driver changed while reading: read again for the new one.
  if (phone !== state.phone) {
    again = true;
    return;
  }
  for (const known of drivers.phones) state.created.delete(known);
  state.phones = [...state.created, ...drivers.phones];
  state.conversations = inbox.conversations;
  state.chat = chat.chat;
  state.agentTyping = chat.agentTyping;
  if (state.phone === null && state.phones.length > 0) state.phone = state.phones[0] ?? null;
  followSelection();
  render();
}

/** Keeps the inbox on the phone's driver (or the phone on the conversation's contact), and drops a selection that is gone. */
function followSelection() {
  const exists = state.conversations.some((conversation) => conversation.id === state.conversationId);
  if (state.follow === 'phone') {
    const driverConversation = state.conversations.find((conversation) => conversation.contact?.phone === state.phone);
    if (driverConversation !== undefined) state.conversationId = driverConversation.id;
    else if (!exists) state.conversationId = state.conversations[0]?.id ?? null;
  } else if (!exists) {
    state.conversationId = state.conversations[0]?.id ?? null;
  }
}

// --- Drawing -------------------------------------------------------------------------------------------

/**
 * @param {string} tag
 * @param {{ className?: string, text?: string, testId?: string }} [options]
 * @param {Node[]} [children]
 */
function element(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className !== undefined) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.testId !== undefined) node.dataset.testid = options.testId;
  node.append(...children);
  return node;
}

/** @param {string} at */
const clock = (at) => new Date(at).toLocaleTimeString('pt-PT', { hour: '2-digit', minute: '2-digit' });

/** @param {string} phone "+351912345678" as people write it: "+351 912 345 678". */
const spaced = (phone) => phone.replace(/^\+351(\d{3})(\d{3})(\d{3})$/, '+351 $1 $2 $3');

/**
 * Redraws a list keyed by id: an item whose look did not change keeps its element (so an image is
 * not fetched again), and the focus stays on the element it was on.
 * @template T
 * @param {HTMLElement} list
 * @param {T[]} items
 * @param {(item: T) => { key: string, look: string }} identify
 * @param {(item: T) => HTMLElement} build
 */
function drawList(list, items, identify, build) {
  const scrolledToEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 24;
  const focusedKey = list.contains(document.activeElement) ? document.activeElement?.closest('[data-key]')?.getAttribute('data-key') : undefined;
  /** @type {Map<string, HTMLElement>} */
  const existing = new Map();
  for (const child of list.children) if (child instanceof HTMLElement && child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  const nodes = items.map((item) => {
    const { key, look } = identify(item);
    const kept = existing.get(key);
    if (kept !== undefined && kept.dataset.look === look) return kept;
    const node = build(item);
    node.dataset.key = key;
    node.dataset.look = look;
    return node;
  });
  const same = nodes.length === list.children.length && nodes.every((node, index) => list.children[index] === node);
  const anotherList = list.firstElementChild?.getAttribute('data-key') !== nodes[0]?.dataset.key;
  if (!same) list.replaceChildren(...nodes);
  if (focusedKey != null && !list.contains(document.activeElement)) {
    const again = [...list.querySelectorAll('[data-key]')].find((node) => node.getAttribute('data-key') === focusedKey);
    const target = again?.matches('button, a') ? again : again?.querySelector('button, a');
    if (target instanceof HTMLElement) target.focus();
  }
  // Follow new messages unless the reader scrolled back; a different conversation starts at its end.
  if (!same && (scrolledToEnd || anotherList)) list.scrollTop = list.scrollHeight;
}

function render() {
  renderDrivers();
  renderPhone();
  renderConversationList();
  renderConversation();
}

function renderDrivers() {
  const wanted = state.phones.join(',');
  if (ui.driverSelect.dataset.phones !== wanted) {
    ui.driverSelect.replaceChildren(...state.phones.map((phone) => {
      const option = document.createElement('option');
      option.value = phone;
      option.textContent = spaced(phone);
      return option;
    }));
    ui.driverSelect.dataset.phones = wanted;
  }
  if (state.phone !== null) ui.driverSelect.value = state.phone;
}

/** @param {number} ack */
function ticks(ack) {
  if (ack >= 3) return { marks: '✓✓', label: 'Lida', className: 'ticks read' };
  if (ack === 2) return { marks: '✓✓', label: 'Entregue', className: 'ticks' };
  if (ack === 1) return { marks: '✓', label: 'Enviada', className: 'ticks' };
  return { marks: '…', label: 'Por enviar', className: 'ticks' };
}

/** @param {PhoneMessage} message */
function mediaName(message) {
  switch (message.type) {
    case 'image': return 'Fotografia';
    case 'video': return 'Vídeo';
    case 'audio': case 'ptt': return 'Áudio';
    case 'document': return `Documento: ${message.filename ?? 'sem nome'}`;
    case 'sticker': return 'Autocolante';
    case 'location': return 'Localização';
    case 'vcard': return 'Contacto';
    default: return undefined;
  }
}

/**
 * A small button under a message.
 * @param {string} text
 * @param {string} label
 * @param {string} testId
 * @param {() => Promise<unknown>} action
 */
function messageAction(text, label, testId, action) {
  const button = element('button', { className: 'message-action', text, testId });
  if (!(button instanceof HTMLButtonElement)) throw new Error('not a button');
  button.type = 'button';
  button.setAttribute('aria-label', label);
  button.title = label;
  button.addEventListener('click', () => void act(action));
  return button;
}

/** @param {PhoneMessage} message */
function phoneBubble(message) {
  const media = mediaName(message);
  const parts = [];
  if (message.type === 'revoked') parts.push(element('p', { className: 'media', text: message.direction === 'sent' ? '🚫 Apagou esta mensagem' : '🚫 Esta mensagem foi apagada' }));
  if (media !== undefined) parts.push(element('p', { className: 'media', text: `[${media}]` }));
  if (message.text !== '' && message.type !== 'vcard') parts.push(element('p', { className: 'text', text: message.text }));
  const meta = element('p', { className: 'meta' }, [element('time', { text: clock(message.at) })]);
  meta.querySelector('time')?.setAttribute('datetime', message.at);
  // The ticks: of what was sent to the driver, WhatsApp's acks; of what the driver wrote, whether the company read it.
  const { marks, label, className } = ticks(message.ack);
  const mark = element('span', { className, text: marks, testId: 'ticks' });
  mark.setAttribute('role', 'img');
  mark.setAttribute('aria-label', label);
  mark.title = label;
  meta.append(mark);
  if (message.type !== 'revoked' && state.phone !== null) {
    const phone = state.phone;
    const actions = [messageAction('👍', 'Reagir com 👍', 'phone-react', () => api('POST', '/driver-reacts', { phone, messageId: message.id, emoji: '👍' }))];
    if (message.direction === 'sent') actions.push(messageAction('Apagar', 'Apagar para todos', 'phone-delete', () => api('POST', '/driver-deletes', { phone, messageId: message.id })));
    meta.append(...actions);
  }
  const bubble = element('li', { className: `bubble ${message.direction}`, testId: 'phone-message' }, [...parts, meta]);
  bubble.dataset.direction = message.direction;
  bubble.dataset.type = message.type;
  bubble.dataset.ack = String(message.ack);
  return bubble;
}

function renderPhone() {
  const hasDriver = state.phone !== null;
  ui.driverPhone.textContent = hasDriver ? spaced(state.phone ?? '') : 'Escolha ou crie um motorista';
  for (const control of [ui.phoneText, ui.phoneFile, ...ui.phoneForm.querySelectorAll('button'), ...ui.uploadForm.querySelectorAll('button'), ...document.querySelectorAll('[data-sample]')]) {
    if (control instanceof HTMLInputElement || control instanceof HTMLButtonElement) control.disabled = !hasDriver;
  }
  ui.phoneRead.disabled = !state.chat.some((message) => message.direction === 'received' && message.ack < 3);
  drawList(ui.phoneMessages, state.chat, (message) => ({ key: message.id, look: `${message.ack}|${message.type}` }), phoneBubble);
  ui.phoneTyping.hidden = !state.agentTyping;
}

/** @param {string} status */
function statusName(status) {
  return { open: 'Aberta', resolved: 'Resolvida', pending: 'Pendente', snoozed: 'Adiada' }[status] ?? status;
}

/** The contact's name; a contact Chatwoot named after the number (no WhatsApp name) is the number, spaced. @param {Conversation} conversation */
function conversationName(conversation) {
  const contact = conversation.contact;
  if (contact === null) return `Conversa ${conversation.id}`;
  return contact.name === contact.phone ? spaced(contact.name) : contact.name;
}

/** @param {Conversation} conversation */
function conversationTitle(conversation) {
  const name = conversationName(conversation);
  const phone = spaced(conversation.contact?.phone ?? '');
  return phone === '' || phone === name ? name : `${name} · ${phone}`;
}

/** @param {Conversation} conversation */
function conversationItem(conversation) {
  const last = conversation.messages.filter((message) => message.type !== 'activity').at(-1);
  const preview = last === undefined ? '' : (last.text ?? (last.files.length > 0 ? `[${last.files.map((file) => file.name).join(', ')}]` : ''));
  const choose = element('button', { testId: 'conversation-item' }, [
    element('span', { className: 'name', text: conversationName(conversation) }),
    element('span', { className: 'sub', text: `${spaced(conversation.contact?.phone ?? '')} · ${statusName(conversation.status)}` }),
    element('span', { className: 'preview', text: preview }),
  ]);
  if (conversation.labels.length > 0) choose.append(element('span', { className: 'sub' }, conversation.labels.map((label) => element('span', { className: 'label', text: label }))));
  if (!(choose instanceof HTMLButtonElement)) throw new Error('not a button');
  choose.type = 'button';
  choose.dataset.conversationId = String(conversation.id);
  if (conversation.id === state.conversationId) choose.setAttribute('aria-current', 'true');
  choose.addEventListener('click', () => {
    state.follow = 'inbox';
    state.conversationId = conversation.id;
    if (conversation.contact?.phone != null) state.phone = conversation.contact.phone;
    void refresh();
  });
  return element('li', {}, [choose]);
}

function renderConversationList() {
  ui.noConversations.hidden = state.conversations.length > 0;
  drawList(
    ui.conversationList,
    state.conversations,
    (conversation) => ({
      key: String(conversation.id),
      look: JSON.stringify([conversation.id === state.conversationId, conversation.status, conversation.labels, conversation.contact, conversation.messages.length]),
    }),
    conversationItem,
  );
}

/** @param {string} status */
function deliveryName(status) {
  return { sent: 'Enviada', delivered: 'Entregue', read: 'Lida', failed: 'Falhou' }[status] ?? status;
}

/** @param {InboxFile} file */
function fileLink(file) {
  const link = element('a', { testId: 'attachment' });
  if (!(link instanceof HTMLAnchorElement)) throw new Error('not a link');
  link.href = file.url;
  link.target = '_blank';
  link.rel = 'noopener';
  if (file.kind === 'image') {
    const image = document.createElement('img');
    image.src = file.url;
    image.alt = file.name;
    // The picture's height is known once it loads: a conversation shown at its end stays there.
    image.addEventListener('load', () => {
      const log = image.closest('[role="log"]');
      if (log !== null && log.lastElementChild?.contains(image) === true) log.scrollTop = log.scrollHeight;
    });
    link.append(image);
  } else {
    link.textContent = file.name;
  }
  return element('li', {}, [link]);
}

/**
 * @param {InboxMessage} message
 * @param {Conversation} [conversation]
 */
function inboxMessage(message, conversation) {
  const item = element('li', { className: `message ${message.type}${message.private ? ' private' : ''}`, testId: 'inbox-message' });
  item.dataset.type = message.type;
  item.dataset.private = String(message.private);
  item.dataset.status = message.status;
  if (message.type === 'activity') {
    item.append(element('p', { text: message.text ?? '' }));
    return item;
  }
  const who = message.private ? `Nota privada · ${message.from ?? ''}` : (message.from ?? '');
  item.append(element('p', { className: 'from', text: `${who} · ${clock(message.at)}` }));
  const quoted = message.replyTo === null ? undefined : conversation?.messages.find((candidate) => candidate.id === message.replyTo);
  if (quoted !== undefined) item.append(element('p', { className: 'quote', text: `↪ ${quoted.text ?? quoted.files.map((file) => file.name).join(', ')}`, testId: 'reply-to' }));
  if (message.text !== null && message.text !== '') item.append(element('p', { className: 'text', text: message.text }));
  if (message.files.length > 0) item.append(element('ul', { className: 'files' }, message.files.map(fileLink)));
  if (message.type === 'outgoing' && !message.private && !message.deleted) {
    const status = element('p', { className: `status ${message.status}`, text: deliveryName(message.status), testId: 'delivery-status' });
    const id = { conversationId: state.conversationId, messageId: message.id };
    if (message.status === 'failed') status.append(messageAction('Tentar de novo', 'Tentar enviar de novo', 'agent-retry', () => api('POST', '/agent-retries', id)));
    status.append(messageAction('Apagar', 'Apagar a mensagem', 'agent-delete', () => api('POST', '/agent-deletes', id)));
    item.append(status);
  }
  return item;
}

function renderConversation() {
  const conversation = state.conversations.find((candidate) => candidate.id === state.conversationId);
  for (const control of [ui.assign, ui.resolve, ui.labelInput, ui.replyText, ui.noteSend, ...ui.labelForm.querySelectorAll('button'), ...ui.replyForm.querySelectorAll('button')]) {
    if (control instanceof HTMLInputElement || control instanceof HTMLButtonElement || control instanceof HTMLTextAreaElement) control.disabled = conversation === undefined;
  }
  if (conversation === undefined) {
    ui.conversationTitle.textContent = 'Escolha uma conversa';
    ui.conversationStatus.textContent = '';
    ui.conversationAssignee.textContent = '';
    ui.conversationLabels.replaceChildren();
    drawList(ui.inboxMessages, [], () => ({ key: '', look: '' }), () => element('li'));
    return;
  }
  ui.conversationTitle.textContent = conversationTitle(conversation);
  ui.conversationStatus.textContent = statusName(conversation.status);
  ui.conversationAssignee.textContent = conversation.assignee === null ? 'Sem agente atribuído' : `Atribuída a ${conversation.assignee}`;
  ui.resolve.disabled = conversation.status === 'resolved';
  drawList(ui.conversationLabels, conversation.labels, (label) => ({ key: label, look: label }), (label) => element('li', { text: label, testId: 'label' }));
  drawList(
    ui.inboxMessages,
    conversation.messages,
    (message) => ({ key: String(message.id), look: `${message.status}|${message.text ?? ''}|${message.deleted}` }),
    (message) => inboxMessage(message, conversation),
  );
}

// --- The controls ----------------------------------------------------------------------------------------

/** @param {string} phone */
function chooseDriver(phone) {
  state.phone = phone;
  state.follow = 'phone';
  state.chat = [];
  void refresh();
}

ui.driverSelect.addEventListener('change', () => chooseDriver(ui.driverSelect.value));

/**
 * A new driver, with a chat they had with the company's phone before the bridge when `history`.
 * @param {boolean} history
 */
const newDriver = (history) => void act(async () => {
  const { phone } = /** @type {{ phone: string }} */ (await api('POST', '/new-driver', history ? { history } : undefined));
  state.created.add(phone);
  state.phones = [phone, ...state.phones];
  state.conversationId = null;
  chooseDriver(phone);
  ui.phoneText.focus();
});
ui.newDriver.addEventListener('click', () => newDriver(false));
ui.newDriverWithHistory.addEventListener('click', () => newDriver(true));

/** The driver's WhatsApp name, when given. */
const driverName = () => (ui.driverName.value.trim() === '' ? {} : { name: ui.driverName.value.trim() });

ui.phoneForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.phoneText.value;
  if (state.phone === null || text.trim() === '') return;
  ui.phoneText.value = '';
  void act(async () => {
    try {
      await api('POST', '/driver-says', { phone: state.phone, text, ...driverName() });
    } catch (error) {
      ui.phoneText.value = text;
      throw error;
    }
  });
});

/**
 * The file as base64, without the data: URL's header.
 * @param {File} file
 * @returns {Promise<string>}
 */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(typeof reader.result === 'string' ? reader.result.replace(/^data:[^,]*,/, '') : ''));
    reader.addEventListener('error', () => reject(reader.error ?? new Error('O ficheiro não pôde ser lido')));
    reader.readAsDataURL(file);
  });
}

ui.uploadForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const file = ui.phoneFile.files?.[0];
  if (state.phone === null) return;
  if (file === undefined) {
    showError('Escolha primeiro um ficheiro.');
    return;
  }
  const phone = state.phone;
  void act(async () => {
    await api('POST', '/driver-uploads', { phone, filename: file.name, data: await base64Of(file) });
    ui.phoneFile.value = '';
  });
});

for (const sample of document.querySelectorAll('[data-sample]')) {
  sample.addEventListener('click', () => {
    const file = sample.getAttribute('data-sample');
    if (state.phone !== null) void act(() => api('POST', '/driver-sends', { phone: state.phone, file }));
  });
}

ui.phoneRead.addEventListener('click', () => {
  if (state.phone !== null) void act(() => api('POST', '/driver-reads', { phone: state.phone }));
});

/** @param {boolean} isPrivate */
function sendReply(isPrivate) {
  const text = ui.replyText.value;
  const conversationId = state.conversationId;
  if (conversationId === null || text.trim() === '') return;
  ui.replyText.value = '';
  clearTimeout(typing.pause);
  // Sending ends "typing…" on the phone by itself; a note never showed it.
  typing.conversationId = null;
  void act(async () => {
    try {
      await api('POST', '/agent-says', { conversationId, text, private: isPrivate });
    } catch (error) {
      ui.replyText.value = text;
      throw error;
    }
  });
}

/** The reply being typed shows "a escrever…" on the driver's phone: said on the first key, renewed every few seconds, and taken back after a pause. */
const typing = { conversationId: /** @type {number | null} */ (null), since: 0, pause: /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined) };

/** @param {boolean} on */
function agentTyping(on) {
  const conversationId = on ? state.conversationId : typing.conversationId;
  if (conversationId === null) return;
  typing.conversationId = on ? conversationId : null;
  typing.since = on ? Date.now() : 0;
  api('POST', '/agent-typing', { conversationId, typing: on }).catch(showError);
}

ui.replyText.addEventListener('input', () => {
  clearTimeout(typing.pause);
  if (ui.replyText.value.trim() === '') return agentTyping(false);
  if (typing.conversationId !== state.conversationId || Date.now() - typing.since > 5_000) agentTyping(true);
  typing.pause = setTimeout(() => agentTyping(false), 4_000);
});

ui.replyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sendReply(false);
});
ui.noteSend.addEventListener('click', () => sendReply(true));
ui.replyText.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendReply(false);
  }
});

ui.labelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const labels = ui.labelInput.value.split(',').map((label) => label.trim()).filter((label) => label !== '');
  const conversationId = state.conversationId;
  if (conversationId === null || labels.length === 0) return;
  void act(async () => {
    await api('POST', '/agent-labels', { conversationId, labels });
    ui.labelInput.value = '';
  });
});

ui.assign.addEventListener('click', () => {
  if (state.conversationId !== null) void act(() => api('POST', '/agent-assigns', { conversationId: state.conversationId }));
});
ui.resolve.addEventListener('click', () => {
  if (state.conversationId !== null) void act(() => api('POST', '/agent-resolves', { conversationId: state.conversationId }));
});

// --- Start: the header's links, then live updates --------------------------------------------------------

void api('GET', '/links').then((answer) => {
  const links = /** @type {{ console?: string, temporalUi?: string }} */ (answer);
  for (const [link, href] of /** @type {const} */ ([[ui.consoleLink, links.console], [ui.temporalLink, links.temporalUi]])) {
    if (href !== undefined && /^https?:\/\//.test(href)) {
      link.href = href;
      link.hidden = false;
    }
  }
}, showError);

const events = new EventSource('/events');
events.addEventListener('open', () => {
  ui.live.textContent = 'Ao vivo';
  ui.live.classList.add('on');
});
events.addEventListener('error', () => {
  ui.live.textContent = 'Sem ligação ao sandbox; a tentar de novo…';
  ui.live.classList.remove('on');
});
events.addEventListener('change', () => void refresh());
render();
