import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatInput, ChatMessage, ChoiceItem } from '../../domain/typebot-chat.ts';
import { botCommand, foldText, matchChoice, matchChoices, matchesTrigger, renderForWhatsApp } from '../../domain/bot-dialogue.ts';
import { acceptsFile, isChatOver, isFileInput, uploadExtension } from '../../domain/typebot-chat.ts';
import { markdownToWhatsApp, richTextToWhatsApp, signedByAgent } from '../../domain/whatsapp-formatting.ts';

const markdown = (id: string, text: string): ChatMessage => ({ id, type: 'text', content: { type: 'markdown', markdown: text } });
const vehicles: ChoiceItem[] = [
  { id: 'i1', content: 'Mota' },
  { id: 'i2', content: 'Carro' },
  { id: 'i3', content: 'Carrinha ligeira', value: 'van' },
];
const choice = (options: ChatInput['options'] = {}): ChatInput => ({ id: 'b3', type: 'choice input', items: vehicles, options });
const fileInput = (types?: string[], extra: ChatInput['options'] = {}): ChatInput => ({
  id: 'b_doc',
  type: 'file input',
  options: { ...extra, ...(types === undefined ? {} : { allowedFileTypes: { isEnabled: true, types } }) },
});

void describe('markdownToWhatsApp', () => {
  void it('turns bold, italic and strikethrough into WhatsApp markers and keeps inline code', () => {
    assert.equal(markdownToWhatsApp('Olá **Rui**! Vamos fazer o seu *registo*.'), 'Olá *Rui*! Vamos fazer o seu _registo_.');
    assert.equal(markdownToWhatsApp('__b__, _i_, ***bi***, ~~s~~ e `co*de*`'), '*b*, _i_, *_bi_*, ~s~ e `co*de*`');
    assert.equal(markdownToWhatsApp('**negrito com _itálico_ dentro**'), '*negrito com _itálico_ dentro*');
  });

  void it('writes a link as "text (url)", or the bare url when the text is the url', () => {
    assert.equal(markdownToWhatsApp('Veja [o site](https://lf.pt/registo).'), 'Veja o site (https://lf.pt/registo).');
    assert.equal(markdownToWhatsApp('[https://lf.pt](https://lf.pt/) e <https://x.pt/a>'), 'https://lf.pt/ e https://x.pt/a');
  });

  void it('makes headings bold lines and bullets "• ", keeping numbered lists', () => {
    const text = '# Documentos **necessários**\n\n* Carta de condução\n- Comprovativo\n  - recente\n1. Frente\n2) Verso';
    assert.equal(markdownToWhatsApp(text), '*Documentos necessários*\n\n• Carta de condução\n• Comprovativo\n  • recente\n1. Frente\n2. Verso');
  });

  void it('leaves lone asterisks, snake_case and escaped punctuation as text', () => {
    assert.equal(markdownToWhatsApp('5 * 3 = 15, ficheiro_da_carta.pdf'), '5 * 3 = 15, ficheiro_da_carta.pdf');
    assert.equal(markdownToWhatsApp('1\\. Mota \\[opcional\\]'), '1. Mota [opcional]');
  });

  void it('keeps code blocks as they are and drops thematic breaks and hard-break markers', () => {
    assert.equal(markdownToWhatsApp('antes  \ndepois\n\n---\n\n```js\nconst a = **1**;\n```'), 'antes\ndepois\n\n```\nconst a = **1**;\n```');
  });
});

void describe('richTextToWhatsApp', () => {
  void it('renders paragraphs as lines, an empty paragraph as a blank line, and marks once per run', () => {
    const text = richTextToWhatsApp([
      { type: 'p', children: [{ text: 'Olá ' }, { text: 'Rui', bold: true }, { text: '!' }] },
      { type: 'p', children: [{ text: '' }] },
      { type: 'p', children: [{ text: 'muito ', italic: true }, { text: 'bem', italic: true }, { text: ' ' }, { text: 'não', strikeThrough: true }] },
    ]);
    assert.equal(text, 'Olá *Rui*!\n\n_muito bem_ ~não~');
  });

  void it('renders links, headings and nested lists', () => {
    const text = richTextToWhatsApp([
      { type: 'h2', children: [{ text: 'Passo 1', bold: true }] },
      { type: 'p', children: [{ text: 'Veja ' }, { type: 'a', url: 'https://lf.pt', children: [{ text: 'o site' }] }] },
      {
        type: 'ul',
        children: [
          { type: 'li', children: [{ type: 'lic', children: [{ text: 'Carta' }] }, { type: 'ol', children: [{ type: 'li', children: [{ type: 'lic', children: [{ text: 'frente' }] }] }] }] },
          { type: 'li', children: [{ type: 'lic', children: [{ text: 'NIF' }] }] },
        ],
      },
    ]);
    assert.equal(text, '*Passo 1*\nVeja o site (https://lf.pt)\n• Carta\n  1. frente\n• NIF');
  });
});

void describe('renderForWhatsApp', () => {
  void it('joins consecutive texts with a blank line and keeps media in order', () => {
    const parts = renderForWhatsApp(
      [
        markdown('b1', 'Olá **Rui**!'),
        markdown('b2', 'Vamos fazer o seu registo.'),
        { id: 'b3', type: 'image', content: { url: 'https://cdn.lf.pt/logo.png' } },
        markdown('b4', 'Pronto?'),
        { id: 'b5', type: 'audio', content: { url: 'https://cdn.lf.pt/ola.ogg' } },
      ],
      null,
    );
    assert.deepEqual(parts, [
      { kind: 'text', text: 'Olá *Rui*!\n\nVamos fazer o seu registo.' },
      { kind: 'media', url: 'https://cdn.lf.pt/logo.png', mediaType: 'image', caption: null },
      { kind: 'text', text: 'Pronto?' },
      { kind: 'media', url: 'https://cdn.lf.pt/ola.ogg', mediaType: 'audio', caption: null },
    ]);
  });

  void it('sends a video file as media, a YouTube video and an embed as links, and an embedded PDF as a file', () => {
    const parts = renderForWhatsApp(
      [
        { id: 'v1', type: 'video', content: { type: 'url', url: 'https://cdn.lf.pt/como.mp4' } },
        { id: 'v2', type: 'video', content: { type: 'youtube', id: 'abc123' } },
        { id: 'e1', type: 'embed', content: { url: 'https://lf.pt/mapa' } },
        { id: 'e2', type: 'embed', content: { url: 'https://cdn.lf.pt/regulamento.pdf?v=2' } },
        { id: 'x', type: 'image', content: {} },
      ],
      null,
    );
    assert.deepEqual(parts, [
      { kind: 'media', url: 'https://cdn.lf.pt/como.mp4', mediaType: 'video', caption: null },
      { kind: 'text', text: 'https://www.youtube.com/watch?v=abc123\n\nhttps://lf.pt/mapa' },
      { kind: 'media', url: 'https://cdn.lf.pt/regulamento.pdf?v=2', mediaType: 'file', caption: null },
    ]);
  });

  void it('appends a numbered menu of a choice input to the last text', () => {
    const parts = renderForWhatsApp([markdown('b1', 'Que veículo tem?')], choice());
    assert.deepEqual(parts, [{ kind: 'text', text: 'Que veículo tem?\n\n1. Mota\n2. Carro\n3. Carrinha ligeira' }]);
  });

  void it('sends the menu on its own when the turn has no text or ends with media', () => {
    assert.deepEqual(renderForWhatsApp([], choice()), [{ kind: 'text', text: '1. Mota\n2. Carro\n3. Carrinha ligeira' }]);
    const parts = renderForWhatsApp([markdown('b1', 'Veja:'), { id: 'i', type: 'image', content: { url: 'https://cdn.lf.pt/v.png' } }], choice());
    assert.equal(parts.length, 3);
    assert.deepEqual(parts[2], { kind: 'text', text: '1. Mota\n2. Carro\n3. Carrinha ligeira' });
  });

  void it('explains how to pick several options on a multiple choice', () => {
    const [part] = renderForWhatsApp([markdown('b1', 'Que veículos tem?')], choice({ isMultipleChoice: true }));
    assert.ok(part?.kind === 'text');
    assert.match(part.text, /3\. Carrinha ligeira\n\nPode escolher várias opções, separadas por vírgulas \(por exemplo: 1, 3\)\.$/);
  });

  void it('numbers a picture choice by title, with the description', () => {
    const input: ChatInput = {
      id: 'pc',
      type: 'picture choice input',
      items: [
        { id: 'p1', title: 'Scooter', pictureSrc: 'https://cdn.lf.pt/s.png', description: 'até 125 cc' },
        { id: 'p2', title: 'Moto', pictureSrc: 'https://cdn.lf.pt/m.png' },
      ],
    };
    assert.deepEqual(renderForWhatsApp([], input), [{ kind: 'text', text: '1. Scooter - até 125 cc\n2. Moto' }]);
  });

  void it('adds a pt-PT hint to a file input only when the bot said nothing', () => {
    assert.deepEqual(renderForWhatsApp([], fileInput(['jpg', 'png', 'pdf'])), [{ kind: 'text', text: 'Envie uma fotografia ou um PDF.' }]);
    assert.deepEqual(renderForWhatsApp([], fileInput(['.PDF'])), [{ kind: 'text', text: 'Envie um PDF.' }]);
    assert.deepEqual(renderForWhatsApp([], fileInput(['jpeg'])), [{ kind: 'text', text: 'Envie uma fotografia.' }]);
    assert.deepEqual(renderForWhatsApp([markdown('b1', 'Envie a frente da carta de condução.')], fileInput(['jpg'])), [
      { kind: 'text', text: 'Envie a frente da carta de condução.' },
    ]);
  });

  void it('sends nothing for an empty turn and says nothing for a text input', () => {
    assert.deepEqual(renderForWhatsApp([markdown('b1', '   ')], { id: 't', type: 'text input' }), []);
  });
});

void describe('isChatOver', () => {
  void it('is over without an input unless a client-side action expects a reply', () => {
    const turn = { messages: [], input: null, clientSideActions: [], logs: [] };
    assert.equal(isChatOver(turn), true);
    assert.equal(isChatOver({ ...turn, input: choice() }), false);
    assert.equal(isChatOver({ ...turn, clientSideActions: [{ type: 'wait', expectsDedicatedReply: true }] }), false);
  });
});

void describe('matchChoice', () => {
  void it('picks by number, with or without "." or ")" and spaces', () => {
    for (const reply of ['2', '2.', '2)', ' 2 ', '2º']) assert.equal(matchChoice(reply, vehicles)?.id, 'i2', reply);
  });

  void it('refuses a number outside the menu', () => {
    assert.equal(matchChoice('0', vehicles), null);
    assert.equal(matchChoice('4', vehicles), null);
  });

  void it('picks by text ignoring case, accents, spaces and surrounding punctuation, also by value', () => {
    assert.equal(matchChoice('  CARRINHA   Lígeira! ', vehicles)?.id, 'i3');
    assert.equal(matchChoice('mota.', vehicles)?.id, 'i1');
    assert.equal(matchChoice('Van', vehicles)?.id, 'i3');
  });

  void it('takes a menu line copied back ("2. Carro") but not a mismatched one', () => {
    assert.equal(matchChoice('2. Carro', vehicles)?.id, 'i2');
    assert.equal(matchChoice('2 - carro', vehicles)?.id, 'i2');
    assert.equal(matchChoice('1. Carro', vehicles), null);
  });

  void it('refuses text that is only close to an item', () => {
    assert.equal(matchChoice('Carros', vehicles), null);
    assert.equal(matchChoice('tenho um carro', vehicles), null);
    assert.equal(matchChoice('', vehicles), null);
  });
});

void describe('matchChoices', () => {
  void it('reads numbers separated by commas, spaces or "e"', () => {
    assert.deepEqual(matchChoices('1, 3', vehicles)?.map((item) => item.id), ['i1', 'i3']);
    assert.deepEqual(matchChoices('3 1', vehicles)?.map((item) => item.id), ['i3', 'i1']);
    assert.deepEqual(matchChoices('1 e 2', vehicles)?.map((item) => item.id), ['i1', 'i2']);
  });

  void it('reads texts, multi-word ones included, without repeats', () => {
    assert.deepEqual(matchChoices('Mota, carrinha ligeira, 1', vehicles)?.map((item) => item.id), ['i1', 'i3']);
    assert.deepEqual(matchChoices('mota carrinha ligeira', vehicles)?.map((item) => item.id), ['i1', 'i3']);
  });

  void it('refuses a reply with any part that is not an item', () => {
    assert.equal(matchChoices('1, avião', vehicles), null);
    assert.equal(matchChoices('', vehicles), null);
  });
});

void describe('matchesTrigger', () => {
  const keywords = ['cadastro', 'registo', 'inscrição', 'quero ser motorista'];

  void it('finds a keyword or phrase as whole words, ignoring case, accents and punctuation', () => {
    assert.equal(matchesTrigger('Quero ser motorista!', keywords), true);
    assert.equal(matchesTrigger('Registo por favor', keywords), true);
    assert.equal(matchesTrigger('queria fazer a inscricao', keywords), true);
    assert.equal(matchesTrigger('Olá, quero  SER   motorista da LF', keywords), true);
  });

  void it('does not match part of a word or a broken phrase', () => {
    assert.equal(matchesTrigger('Os cadastros estão fechados?', keywords), false);
    assert.equal(matchesTrigger('quero ser', keywords), false);
    assert.equal(matchesTrigger('ser motorista? quero!', keywords), false);
  });

  void it('ignores blank keywords', () => {
    assert.equal(matchesTrigger('qualquer coisa', ['', ' ! ']), false);
  });
});

void describe('botCommand', () => {
  void it('reads "recomeçar" and its variants as restart', () => {
    for (const text of ['recomeçar', 'Recomecar', 'RECOMEÇAR!', ' reiniciar ', 'Começar de novo', 'quero recomeçar por favor']) {
      assert.equal(botCommand(text), 'restart', text);
    }
  });

  void it('reads a request for a person as human', () => {
    for (const text of ['atendente', 'Falar com atendente', 'Quero falar com um atendente, por favor', 'falar com alguém', 'operador']) {
      assert.equal(botCommand(text), 'human', text);
    }
  });

  void it('is no command when the word is only part of the message', () => {
    assert.equal(botCommand('O atendente disse para recomeçar o envio da carta'), null);
    assert.equal(botCommand('Rui Almeida'), null);
    assert.equal(botCommand(''), null);
  });
});

void describe('file inputs', () => {
  void it('knows a file input', () => {
    assert.equal(isFileInput(fileInput()), true);
    assert.equal(isFileInput(choice()), false);
    assert.equal(isFileInput(null), false);
  });

  void it('accepts any file when the types are not restricted', () => {
    assert.equal(acceptsFile(fileInput(), 'application/zip'), true);
    assert.equal(acceptsFile(fileInput(['pdf'], {}), 'image/png'), false);
    assert.equal(acceptsFile({ ...fileInput(), options: { allowedFileTypes: { isEnabled: false, types: ['pdf'] } } }, 'image/png'), true);
  });

  void it('checks a MIME type, an extension or a file name against the allowed types', () => {
    const input = fileInput(['jpeg', '.PNG', 'pdf']);
    assert.equal(acceptsFile(input, 'image/jpeg'), true);
    assert.equal(acceptsFile(input, 'application/pdf; charset=binary'), true);
    assert.equal(acceptsFile(input, 'png'), true);
    assert.equal(acceptsFile(input, 'carta.PDF'), true);
    assert.equal(acceptsFile(input, 'image/webp'), false);
    assert.equal(acceptsFile(input, 'video.mp4'), false);
    assert.equal(acceptsFile(choice(), 'image/jpeg'), false);
  });

  void it('names an upload with an extension the input allows', () => {
    assert.equal(uploadExtension(fileInput(['jpeg', 'pdf']), 'image/jpeg'), 'jpeg');
    assert.equal(uploadExtension(fileInput(['jpg']), 'image/jpeg'), 'jpg');
    assert.equal(uploadExtension(fileInput(), 'image/jpeg'), 'jpg');
    assert.equal(uploadExtension(fileInput(), 'application/x-unknown'), 'bin');
    assert.equal(uploadExtension(fileInput(['pdf']), 'image/jpeg'), null);
  });
});

void describe('foldText', () => {
  void it('lower-cases, strips accents and collapses spaces', () => {
    assert.equal(foldText('  Inscrição   CONDUÇÃO '), 'inscricao conducao');
  });
});

describe("Typebot's own retry messages", () => {
  const choice: ChatInput = { id: 'b', type: 'choice input', items: [{ id: 'i1', content: 'Começar' }] };
  const file: ChatInput = { id: 'f', type: 'file input' };
  const retry = markdown('r', 'Invalid message. Please, try again.');

  it('are said in European Portuguese, fitting the question that waits', () => {
    assert.deepEqual(renderForWhatsApp([retry], choice), [
      { kind: 'text', text: 'Não percebi a sua escolha. Responda com o número ou o texto de uma das opções:\n\n1. Começar' },
    ]);
    assert.match((renderForWhatsApp([retry], file)[0] as { text: string }).text, /^Esta pergunta pede um ficheiro/);
    assert.match((renderForWhatsApp([markdown('e', "This email doesn't seem to be valid. Can you type it again?")], null)[0] as { text: string }).text, /^Este email não parece válido/);
  });

  it("leave the flow's own words alone", () => {
    assert.deepEqual(renderForWhatsApp([markdown('x', 'O NIF tem de ter 9 dígitos.')], null), [{ kind: 'text', text: 'O NIF tem de ter 9 dígitos.' }]);
  });
});

void describe('signedByAgent', () => {
  void it("puts the agent's name first, in bold, on a line of its own", () => {
    assert.equal(signedByAgent('Ana', 'Bom dia!\nJá vejo isso.'), '*Ana:*\nBom dia!\nJá vejo isso.');
    assert.equal(signedByAgent('Ana', ''), '*Ana:*');
  });
  void it('drops the marks and line breaks that would break the bold, and signs nothing with a name of none', () => {
    assert.equal(signedByAgent(' *Rui*  _Costa_\n~`x`~ ', 'Olá'), '*Rui Costa x:*\nOlá');
    assert.equal(signedByAgent('**', 'Olá'), 'Olá');
  });
});
