/**
 * The parts of an exported Typebot flow (version "6.1", CONTRACTS.md §3.5) the simulator
 * reads. Field names are Typebot's; everything the engine does not use is left out.
 */

/** A variable's value as Typebot stores it: text, a list (multiple choice, loops) or unset. */
export type VariableValue = string | Array<string | null> | null;

export interface FlowVariable {
  id: string;
  name: string;
  value?: VariableValue;
  isSessionVariable?: boolean;
}

export interface EdgeTarget {
  groupId: string;
  blockId?: string;
}

export interface FlowEdge {
  id: string;
  from: { eventId?: string; blockId?: string; itemId?: string };
  to: EdgeTarget;
}

export interface Comparison {
  id?: string;
  variableId?: string;
  comparisonOperator?: string;
  value?: string;
}

export interface Condition {
  logicalOperator?: 'AND' | 'OR';
  comparisons?: Comparison[];
}

/** Items of choice blocks (`content` is the label) and of Condition blocks (`content` is the condition). */
export interface FlowItem {
  id: string;
  outgoingEdgeId?: string;
  content?: string | Condition;
  value?: string;
  displayCondition?: { isEnabled?: boolean; condition?: Condition };
}

export interface KeyValue {
  id?: string;
  key?: string;
  value?: string;
}

export interface HttpRequestSettings {
  url?: string;
  method?: string;
  headers?: KeyValue[];
  queryParams?: KeyValue[];
  body?: string;
}

export interface ResponseVariableMapping {
  id?: string;
  variableId?: string;
  bodyPath?: string;
}

/** Every option the simulated blocks read; Typebot keeps them all in `options`. */
export interface BlockOptions {
  variableId?: string;
  retryMessageContent?: string;
  defaultCountryCode?: string;
  isMultipleChoice?: boolean;
  min?: number | string;
  max?: number | string;
  isRequired?: boolean;
  isMultipleAllowed?: boolean;
  allowedFileTypes?: { isEnabled?: boolean; types?: string[] };
  sizeLimit?: number;
  visibility?: string;
  audioClip?: { isEnabled?: boolean; saveVariableId?: string };
  type?: string;
  expressionToEvaluate?: string;
  isCode?: boolean;
  groupId?: string;
  blockId?: string;
  webhook?: HttpRequestSettings;
  isCustomBody?: boolean;
  isExecutedOnClient?: boolean;
  responseVariableMapping?: ResponseVariableMapping[];
  timeout?: number;
  [option: string]: unknown;
}

export interface FlowBlock {
  id: string;
  type: string;
  outgoingEdgeId?: string;
  /** Bubbles: `{richText}` for text, `{url}` for media. */
  content?: { richText?: unknown[]; url?: string; [field: string]: unknown };
  options?: BlockOptions;
  items?: FlowItem[];
}

export interface FlowGroup {
  id: string;
  title: string;
  blocks: FlowBlock[];
}

export interface FlowEvent {
  id: string;
  type: string;
  outgoingEdgeId?: string;
}

export interface TypebotFlow {
  id?: string;
  version: string;
  name: string;
  events: FlowEvent[];
  groups: FlowGroup[];
  edges: FlowEdge[];
  variables: FlowVariable[];
  theme: Record<string, unknown>;
  settings: {
    general?: { systemMessages?: { invalidMessage?: string }; isInputPrefillEnabled?: boolean; [field: string]: unknown };
    [field: string]: unknown;
  };
  publicId?: string;
  workspaceId?: string;
  updatedAt?: string;
}

/** Block type strings as Typebot writes them (the HTTP Request block is the legacy "Webhook"). */
export const BlockType = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  embed: 'embed',
  textInput: 'text input',
  numberInput: 'number input',
  emailInput: 'email input',
  urlInput: 'url input',
  phoneInput: 'phone number input',
  choiceInput: 'choice input',
  fileInput: 'file input',
  condition: 'Condition',
  setVariable: 'Set variable',
  jump: 'Jump',
  httpRequest: 'Webhook',
} as const;

export const bubbleTypes: ReadonlySet<string> = new Set([BlockType.text, BlockType.image, BlockType.video, BlockType.audio, BlockType.embed]);
export const inputTypes: ReadonlySet<string> = new Set([
  BlockType.textInput,
  BlockType.numberInput,
  BlockType.emailInput,
  BlockType.urlInput,
  BlockType.phoneInput,
  BlockType.choiceInput,
  BlockType.fileInput,
]);
export const logicTypes: ReadonlySet<string> = new Set([BlockType.condition, BlockType.setVariable, BlockType.jump, BlockType.httpRequest]);
