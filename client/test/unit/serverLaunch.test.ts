import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaunchEnvironment, dotnetLocations, resolveLaunch, serverEnvironment } from '../../src/serverLaunch';

function env(files: string[], overrides: Partial<LaunchEnvironment> = {}): LaunchEnvironment {
  const set = new Set(files);
  return {
    extensionPath: '/ext',
    serverPathSetting: '',
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    homeDir: '/home/me',
    isFile: (f) => set.has(f),
    ...overrides,
  };
}

test('the bundled server runs with dotnet from PATH', () => {
  assert.deepEqual(resolveLaunch(env(['/ext/server/transformer-lsp.dll', '/usr/bin/dotnet'])), {
    kind: 'ok',
    command: '/usr/bin/dotnet',
    args: ['/ext/server/transformer-lsp.dll', '--stdio'],
    serverPath: '/ext/server/transformer-lsp.dll',
  });
});

test('DOTNET_ROOT is preferred over PATH', () => {
  const launch = resolveLaunch(
    env(['/ext/server/transformer-lsp.dll', '/usr/bin/dotnet', '/opt/dn/dotnet'], {
      env: { PATH: '/usr/bin', DOTNET_ROOT: '/opt/dn' },
    }),
  );
  assert.equal(launch.kind === 'ok' && launch.command, '/opt/dn/dotnet');
});

test('a missing dotnet is reported with the places searched', () => {
  const launch = resolveLaunch(env(['/ext/server/transformer-lsp.dll']));
  assert.equal(launch.kind, 'dotnet-missing');
  assert.ok(
    launch.kind === 'dotnet-missing' &&
      launch.tried.includes('/usr/bin/dotnet') &&
      launch.tried.includes('/home/me/.dotnet/dotnet'),
  );
});

test('a checkout without a published server falls back to the server project build output', () => {
  const dll = '/ext/server/TransformerLsp.Server/bin/Release/net10.0/transformer-lsp.dll';
  const launch = resolveLaunch(env([dll, '/usr/bin/dotnet']));
  assert.equal(launch.kind === 'ok' && launch.serverPath, dll);
});

test('server.path pointing at an executable runs it directly', () => {
  const launch = resolveLaunch(env(['/opt/tlsp/transformer-lsp'], { serverPathSetting: '/opt/tlsp/transformer-lsp' }));
  assert.deepEqual(launch, {
    kind: 'ok',
    command: '/opt/tlsp/transformer-lsp',
    args: ['--stdio'],
    serverPath: '/opt/tlsp/transformer-lsp',
  });
});

test('server.path with ~ is expanded and a .dll runs with dotnet', () => {
  const launch = resolveLaunch(
    env(['/home/me/build/transformer-lsp.dll', '/usr/bin/dotnet'], {
      serverPathSetting: '~/build/transformer-lsp.dll',
    }),
  );
  assert.equal(launch.kind === 'ok' && launch.args[0], '/home/me/build/transformer-lsp.dll');
});

test('server.path that does not exist is reported, without falling back to the bundled server', () => {
  const launch = resolveLaunch(
    env(['/ext/server/transformer-lsp.dll', '/usr/bin/dotnet'], { serverPathSetting: '/nope/transformer-lsp.dll' }),
  );
  assert.deepEqual(launch, { kind: 'server-missing', tried: ['/nope/transformer-lsp.dll'] });
});

test('Windows looks for dotnet.exe on Path and in Program Files', () => {
  const e = env([], {
    platform: 'win32',
    env: { Path: 'C:\\Tools;"C:\\Other Dir"', ProgramFiles: 'C:\\Program Files' },
    homeDir: 'C:\\Users\\me',
  });
  assert.deepEqual(dotnetLocations(e), [
    'C:\\Tools\\dotnet.exe',
    'C:\\Other Dir\\dotnet.exe',
    'C:\\Program Files\\dotnet\\dotnet.exe',
  ]);
});

test('the server starts with the .NET diagnostics socket off unless the user chose otherwise', () => {
  assert.equal(serverEnvironment({ PATH: '/usr/bin' }).DOTNET_EnableDiagnostics, '0');
  assert.equal(serverEnvironment({ PATH: '/usr/bin' }).PATH, '/usr/bin');
  assert.equal(serverEnvironment({ DOTNET_EnableDiagnostics: '1' }).DOTNET_EnableDiagnostics, '1');
});
