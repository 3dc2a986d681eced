// Which program starts the language server: pure, so every branch is unit-tested without a file system.
import * as path from 'node:path';

export interface LaunchEnvironment {
  /** The extension's folder; the packaged server is in its server/ subfolder. */
  extensionPath: string;
  /** transformerLsp.server.path: a transformer-lsp.dll or executable; empty for the bundled server. */
  serverPathSetting: string;
  platform: NodeJS.Platform;
  /** process.arch: with `platform`, decides whether a bundled native server can run here. */
  arch: string;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  isFile(file: string): boolean;
  /** A small text file's content, or undefined when it cannot be read (the bundled server's platform.json). */
  readText(file: string): string | undefined;
}

export type Launch =
  | { kind: 'ok'; command: string; args: string[]; serverPath: string }
  | { kind: 'dotnet-missing'; serverPath: string; tried: string[] }
  | { kind: 'server-missing'; tried: string[] }
  | { kind: 'wrong-platform'; serverPath: string; builtFor: string; running: string };

/**
 * The platform a packaged native server was built for: `platform.json` in the package's server folder, written by client/package.sh beside a
 * self-contained server, in Node's names (`{"platform": "linux", "arch": "x64"}`).
 */
export const platformFile = 'platform.json';

export const dotnetDownloadUrl = 'https://dotnet.microsoft.com/download/dotnet/10.0';

export function resolveLaunch(e: LaunchEnvironment): Launch {
  const p = e.platform === 'win32' ? path.win32 : path.posix;
  const setting = expandHome(e.serverPathSetting.trim(), e.homeDir, p);
  if (!setting) {
    // A platform-specific package carries a self-contained server (no .NET runtime needed, and none that `dotnet`
    // could run elsewhere): it runs when it was built for this platform; otherwise the user is told which to install.
    const bundled = bundledNative(e, p);
    if (bundled) {
      const running = `${e.platform}-${e.arch}`;
      if (bundled.builtFor === running)
        return { kind: 'ok', command: bundled.file, args: ['--stdio'], serverPath: bundled.file };
      return { kind: 'wrong-platform', serverPath: bundled.file, builtFor: bundled.builtFor, running };
    }
  }
  const candidates = setting
    ? [setting]
    : [
        p.join(e.extensionPath, 'server', 'transformer-lsp.dll'),
        // Running the extension from a checkout (F5 in VS Code): the server project's own build output.
        p.join(e.extensionPath, 'server', 'TransformerLsp.Server', 'bin', 'Release', 'net10.0', 'transformer-lsp.dll'),
        p.join(e.extensionPath, 'server', 'TransformerLsp.Server', 'bin', 'Debug', 'net10.0', 'transformer-lsp.dll'),
      ];
  const serverPath = candidates.find((c) => e.isFile(c));
  if (!serverPath) return { kind: 'server-missing', tried: candidates };
  if (!serverPath.toLowerCase().endsWith('.dll')) {
    return { kind: 'ok', command: serverPath, args: ['--stdio'], serverPath };
  }
  const dotnetCandidates = dotnetLocations(e, p);
  const dotnet = dotnetCandidates.find((c) => e.isFile(c));
  if (!dotnet) return { kind: 'dotnet-missing', serverPath, tried: dotnetCandidates };
  return { kind: 'ok', command: dotnet, args: [serverPath, '--stdio'], serverPath };
}

/** The packaged native server and the `platform-arch` its platform.json names, if the package has one. */
function bundledNative(e: LaunchEnvironment, p: path.PlatformPath): { file: string; builtFor: string } | undefined {
  const server = p.join(e.extensionPath, 'server');
  const text = e.readText(p.join(server, platformFile));
  if (text === undefined) return undefined;
  let target: { platform?: unknown; arch?: unknown };
  try {
    target = JSON.parse(text) as { platform?: unknown; arch?: unknown };
  } catch {
    return undefined;
  }
  if (typeof target.platform !== 'string' || typeof target.arch !== 'string') return undefined;
  const file = p.join(server, target.platform === 'win32' ? 'transformer-lsp.exe' : 'transformer-lsp');
  return e.isFile(file) ? { file, builtFor: `${target.platform}-${target.arch}` } : undefined;
}

/** Where a `dotnet` host may be, most specific first: what the environment names, PATH, then the installers' defaults. */
export function dotnetLocations(
  e: LaunchEnvironment,
  p: path.PlatformPath = e.platform === 'win32' ? path.win32 : path.posix,
): string[] {
  const exe = e.platform === 'win32' ? 'dotnet.exe' : 'dotnet';
  const pathVar = e.env.PATH ?? e.env.Path ?? '';
  const separator = e.platform === 'win32' ? ';' : ':';
  const list: string[] = [];
  if (e.env.DOTNET_HOST_PATH) list.push(e.env.DOTNET_HOST_PATH);
  if (e.env.DOTNET_ROOT) list.push(p.join(e.env.DOTNET_ROOT, exe));
  for (const dir of pathVar.split(separator)) {
    if (dir.trim()) list.push(p.join(dir.trim().replace(/^"(.*)"$/, '$1'), exe));
  }
  if (e.platform === 'win32') {
    list.push(p.join(e.env.ProgramFiles ?? 'C:\\Program Files', 'dotnet', exe));
  } else {
    list.push(
      p.join(e.homeDir, '.dotnet', exe),
      '/usr/local/share/dotnet/dotnet',
      '/usr/share/dotnet/dotnet',
      '/usr/lib/dotnet/dotnet',
      '/opt/homebrew/bin/dotnet',
    );
  }
  return [...new Set(list)];
}

function expandHome(file: string, homeDir: string, p: path.PlatformPath): string {
  if (file === '~') return homeDir;
  if (file.startsWith('~/') || file.startsWith('~\\')) return p.join(homeDir, file.slice(2));
  return file;
}

/**
 * The server's environment: the editor's, with the .NET diagnostics IPC socket switched off (DOTNET_EnableDiagnostics=0)
 * unless the user set the variable. The server does this itself on Linux (it re-executes with the variable); on macOS
 * and Windows only the launcher can.
 */
export function serverEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return { ...env, DOTNET_EnableDiagnostics: env.DOTNET_EnableDiagnostics ?? '0' };
}
