// The server <-> client contract (server/TransformerLsp.Server/README.md, "What the server offers"): command names,
// their argument and result shapes, and the status notification. Types only, no behaviour.

export const ServerCommand = {
  beamSearch: 'transformerLsp.beamSearch',
  fillMask: 'transformerLsp.fillMask',
  nextTokens: 'transformerLsp.nextTokens',
} as const;

export const StatusNotification = 'transformerLsp/status';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface BeamSearchArgs {
  textDocument: { uri: string };
  position: Position;
  width?: number;
  maxTokens?: number;
}

export interface Beam {
  text: string;
  probability: number;
  logProbability: number;
  tokens: string[];
  tokenLogProbabilities: number[];
}

export interface BeamSearchResult {
  beams: Beam[];
}

/** Exactly one of `range` (the text to fill) and `position` (a caret: the server picks the blank near it). */
export type FillMaskArgs = { textDocument: { uri: string }; count?: number } & (
  { range: Range; position?: never } | { position: Position; range?: never }
);

export interface FillCandidate {
  text: string;
  probability: number;
  logLikelihood: number;
}

export interface FillMaskResult {
  candidates: FillCandidate[];
  /** The range the candidates are for; absent (or null) when there is no blank near the position. */
  range?: Range | null;
}

export interface NextTokensArgs {
  textDocument: { uri: string };
  position: Position;
  count?: number;
}

export interface NextToken {
  id: number;
  text: string;
  probability: number;
}

export interface NextTokensResult {
  tokens: NextToken[];
}

export interface ServerStatus {
  state: 'loading' | 'ready' | 'error';
  model?: string;
  provider?: string;
  message?: string;
  lastLatencyMs?: number;
}
