// The settings the server reads (package.json's contributes.configuration, section `transformerLsp`), read from VS Code
// as one plain object.

export const section = 'transformerLsp';

/** Keys the server reads; dotted keys nest ("diagnostics.enable" -> { diagnostics: { enable } }). */
export const serverSettingKeys = [
  'modelPath',
  'executionProvider',
  'threads',
  'contextTokens',
  'beamWidth',
  'maxSuggestionTokens',
  'temperature',
  'blankMarkers',
  'languages',
  'diagnostics.enable',
  'maxDocumentSize',
  'userText.openDocuments',
  'userText.workspaceFiles',
  'userText.extensions',
  'userText.maxFiles',
  'userText.maxFileSizeKb',
  'userText.maxTotalMb',
] as const;

/** Changing these needs a new server process (another program, or other documents to synchronise). */
export const restartKeys = ['server.path', 'languages'] as const;

export const defaultLanguages = ['plaintext', 'markdown', 'latex', 'restructuredtext', 'git-commit'];
export const defaultBlankMarkers = ['___', '[MASK]'];

export interface ConfigurationReader {
  get<T>(key: string): T | undefined;
}

/** The server's settings as sent in initializationOptions: `{ modelPath, ..., diagnostics: { enable } }`. */
export function readServerSettings(config: ConfigurationReader): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of serverSettingKeys) {
    const value = config.get<unknown>(key);
    if (value === undefined) continue;
    const parts = key.split('.');
    let target = result;
    for (const part of parts.slice(0, -1)) {
      const next = (target[part] as Record<string, unknown> | undefined) ?? {};
      target[part] = next;
      target = next;
    }
    target[parts[parts.length - 1]] = value;
  }
  return result;
}

export function stringList(value: unknown, fallback: readonly string[]): string[] {
  if (!Array.isArray(value)) return [...fallback];
  const strings = value.filter((v): v is string => typeof v === 'string' && v.length > 0);
  return strings.length > 0 ? strings : [...fallback];
}
