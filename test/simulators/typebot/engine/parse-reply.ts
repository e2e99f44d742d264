/**
 * Validates and formats a reply to the input block the session waits on
 * (bot-engine validateAndParseInputMessage, CONTRACTS.md §3.3). `fail` makes the bot
 * repeat the input after its retry message; `success.content` is what gets saved.
 */
import { findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js';
import type { FlowBlock, FlowVariable } from '../flow-types.ts';
import { BlockType } from '../flow-types.ts';
import { allowedFileTypes, hasAllowedExtension } from '../uploads/file-types.ts';
import { parseVariables } from '../variables.ts';
import { parseMultipleChoiceReply, parseSingleChoiceReply, type ParsedReply } from './choice.ts';
import { isUrl } from './is-url.ts';
import { displayedItems } from './messages.ts';

export type { ParsedReply };

export type Reply = { type: 'text'; text: string; replyId?: string; attachedFileUrls?: string[] } | { type: 'audio'; url: string };

/** Local part (dot-separated atoms, or quoted) @ a bracketed IPv4 or a domain with an alphabetic TLD. */
const emailPattern =
  /^(?:[^\s<>()[\]\\.,;:@"]+(?:\.[^\s<>()[\]\\.,;:@"]+)*|".+")@(?:\[\d{1,3}(?:\.\d{1,3}){3}\]|(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,})$/;

/** safeParseFloat: a decimal comma is accepted, trailing text ignored (as parseFloat). */
function parseDecimal(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value === undefined || value === '') return undefined;
  const parsed = Number.parseFloat(value.replace(',', '.'));
  return Number.isNaN(parsed) ? undefined : parsed;
}

function parseNumberReply(text: string, block: FlowBlock, variables: readonly FlowVariable[]): ParsedReply {
  const number = parseDecimal(text);
  if (text === '' || number === undefined) return { status: 'fail' };
  const bound = (limit: number | string | undefined) => parseDecimal(typeof limit === 'string' ? parseVariables(limit, variables) : limit);
  const min = bound(block.options?.min);
  const max = bound(block.options?.max);
  if ((min !== undefined && min !== 0 && number < min) || (max !== undefined && max !== 0 && number > max)) return { status: 'fail' };
  return { status: 'success', content: text.startsWith('0') ? text : number.toString() };
}

function parseFileReply(reply: Reply, block: FlowBlock, trustedHosts: readonly string[]): ParsedReply {
  const urls =
    reply.type === 'text' && reply.attachedFileUrls !== undefined && reply.attachedFileUrls.length > 0
      ? reply.attachedFileUrls
      : (reply.type === 'audio' ? reply.url : reply.text)
          .split(/,\s*|\n+/)
          .map((url) => url.trim())
          .filter((url) => url !== '');
  const trusted = (url: string) => {
    try {
      return trustedHosts.includes(new URL(url).hostname);
    } catch {
      return false;
    }
  };
  const allowed = allowedFileTypes(block.options?.allowedFileTypes);
  const valid = urls.some((url) => isUrl(url, { requireTld: !trusted(url) })) && (allowed === undefined || urls.every((url) => hasAllowedExtension(url, allowed)));
  if (!valid) return { status: 'fail' };
  return { status: 'success', content: block.options?.isMultipleAllowed === true ? urls.join(', ') : (urls[0] ?? '') };
}

export function parseReply(
  reply: Reply | undefined,
  block: FlowBlock,
  { variables, trustedFileHosts }: { variables: readonly FlowVariable[]; trustedFileHosts: readonly string[] },
): ParsedReply {
  if (block.type === BlockType.fileInput && reply === undefined) return block.options?.isRequired === false ? { status: 'skip' } : { status: 'fail' };
  if (block.type === BlockType.textInput && reply !== undefined) return { status: 'success', content: reply.type === 'audio' ? reply.url : reply.text };
  if (block.type === BlockType.fileInput && reply !== undefined) return parseFileReply(reply, block, trustedFileHosts);
  if (reply?.type !== 'text') return { status: 'fail' };
  const { text } = reply;
  switch (block.type) {
    case BlockType.emailInput:
      return emailPattern.test(text) ? { status: 'success', content: text.toLowerCase() } : { status: 'fail' };
    case BlockType.phoneInput: {
      const country = block.options?.defaultCountryCode;
      const found = findPhoneNumbersInText(text, country !== undefined && isSupportedCountry(country) ? (country) : undefined).at(0);
      return found === undefined ? { status: 'fail' } : { status: 'success', content: found.number.number };
    }
    case BlockType.urlInput:
      return isUrl(text, { requireTld: true }) ? { status: 'success', content: text } : { status: 'fail' };
    case BlockType.numberInput:
      return parseNumberReply(text, block, variables);
    case BlockType.choiceInput: {
      const items = displayedItems(block, variables);
      return block.options?.isMultipleChoice === true ? parseMultipleChoiceReply(text, items) : parseSingleChoiceReply(text, items, reply.replyId);
    }
    default:
      return { status: 'fail' };
  }
}
