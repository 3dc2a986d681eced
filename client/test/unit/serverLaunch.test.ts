import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaunchEnvironment, dotnetLocations, resolveLaunch, serverEnvironment } from '../../src/serverLaunch';

function env(files: string[], overrides: Partial<LaunchEnvironment> = {}): LaunchEnvironment {
  const set = new Set(files);
  return {
    extensionPath: '/ext',
    serverPathSetting: '',
    platform: 'linux',
    arch: 'x64',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    homeDir: '/home/me',
    isFile: (f) => set.has(f),
    readText: () => undefined,
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

// A platform-specific package: the executable transformer-lsp(.exe) and platform.json in its server folder (client/package.sh).
function packaged(
  platform: string,
  arch: string,
  exe: string,
  files: string[] = [],
  overrides: Partial<LaunchEnvironment> = {},
) {
  const texts: Record<string, string> = { '/ext/server/platform.json': JSON.stringify({ platform, arch }) };
  return env([exe, ...files], { readText: (f) => texts[f], ...overrides });
}

test('the bundled native server runs directly, without dotnet, on the platform it was built for', () => {
  assert.deepEqual(resolveLaunch(packaged('linux', 'x64', '/ext/server/transformer-lsp')), {
    kind: 'ok',
    command: '/ext/server/transformer-lsp',
    args: ['--stdio'],
    serverPath: '/ext/server/transformer-lsp',
  });
});

test('on Windows the bundled native server is transformer-lsp.exe', () => {
  const launch = resolveLaunch(
    packaged('win32', 'x64', 'C:\\ext\\server\\transformer-lsp.exe', [], {
      extensionPath: 'C:\\ext',
      platform: 'win32',
      readText: (f) => (f === 'C:\\ext\\server\\platform.json' ? '{"platform":"win32","arch":"x64"}' : undefined),
    }),
  );
  assert.equal(launch.kind === 'ok' && launch.command, 'C:\\ext\\server\\transformer-lsp.exe');
});

test('a native server built for another platform or architecture is reported, naming both', () => {
  for (const [platform, arch] of [
    ['linux', 'arm64'],
    ['darwin', 'x64'],
  ]) {
    const launch = resolveLaunch(packaged(platform, arch, '/ext/server/transformer-lsp', ['/usr/bin/dotnet']));
    assert.deepEqual(launch, {
      kind: 'wrong-platform',
      serverPath: '/ext/server/transformer-lsp',
      builtFor: `${platform}-${arch}`,
      running: 'linux-x64',
    });
  }
});

test('the universal package (no platform.json) runs transformer-lsp.dll with dotnet', () => {
  const launch = resolveLaunch(
    env(['/ext/server/transformer-lsp.dll', '/ext/server/transformer-lsp', '/usr/bin/dotnet'], {
      readText: () => undefined,
    }),
  );
  assert.equal(launch.kind === 'ok' && launch.command, '/usr/bin/dotnet');
});

test('server.path wins over the bundled native server', () => {
  const launch = resolveLaunch(
    packaged('linux', 'x64', '/ext/server/transformer-lsp', ['/opt/my/transformer-lsp.dll', '/usr/bin/dotnet'], {
      serverPathSetting: '/opt/my/transformer-lsp.dll',
    }),
  );
  assert.deepEqual(launch.kind === 'ok' && launch.args, ['/opt/my/transformer-lsp.dll', '--stdio']);
});

test('an unreadable or malformed platform.json is no native server', () => {
  for (const text of ['not json', '{"platform":"linux"}']) {
    const launch = resolveLaunch(
      env(['/ext/server/transformer-lsp', '/ext/server/transformer-lsp.dll', '/usr/bin/dotnet'], {
        readText: () => text,
      }),
    );
    assert.equal(launch.kind === 'ok' && launch.command, '/usr/bin/dotnet');
  }
});
