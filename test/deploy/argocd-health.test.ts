/**
 * The Argo CD health check, run by a real Lua 5.1 interpreter as Argo CD runs it (gopher-lua is
 * Lua 5.1): each case of deploy/argocd/health_test.yaml becomes the global `obj`, the script
 * returns `hs`, and its status and message must be what the case expects.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const DIR = 'deploy/argocd';
const LUA = process.env.LUA_BIN ?? 'lua5.1';

interface HealthTest {
  healthStatus: { status: string; message: string };
  inputPath: string;
}

/** A Lua 5.1 string literal: everything outside printable ASCII as a decimal byte escape. */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || ch === '"' || ch === '\\' ? `\\${byte}` : ch;
  }
  return `${out}"`;
}

/** JSON as a Lua table literal, the shape Argo CD hands the script (arrays 1-indexed, null absent). */
function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null);
  return `{${entries.map(([k, v]) => `[${luaString(k)}] = ${toLua(v)}`).join(', ')}}`;
}

/** Runs the health script on one object; returns what it put in `hs`. */
function health(script: string, object: unknown): { status: string; message: string } {
  const harness = [
    `obj = ${toLua(object)}`,
    `local check = assert(loadstring(${luaString(script)}, "health.lua"))`,
    'local hs = check()',
    'io.write(tostring(hs.status), "\\n", tostring(hs.message))',
  ].join('\n');
  const run = spawnSync(LUA, ['-'], { input: harness, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lua failed: ${run.stderr}`);
  const [status = '', ...message] = run.stdout.split('\n');
  return { status, message: message.join('\n') };
}

const script = readFileSync(`${DIR}/health.lua`, 'utf8');
const cases = (parse(readFileSync(`${DIR}/health_test.yaml`, 'utf8')) as { tests: HealthTest[] }).tests;

describe('the Argo CD health check for serin.dev/Canary', () => {
  it('runs on Lua 5.1, the version Argo CD embeds', () => {
    const version = spawnSync(LUA, ['-v'], { encoding: 'utf8' });
    expect(`${version.stdout}${version.stderr}`).toMatch(/^Lua 5\.1/);
  });

  it.each(cases.map((c) => [c.inputPath, c] as const))('%s', (_path, c) => {
    const object = parse(readFileSync(`${DIR}/${c.inputPath}`, 'utf8')) as unknown;
    expect(health(script, object)).toEqual(c.healthStatus);
  });

  it('covers Progressing, Suspended, Healthy and Degraded', () => {
    expect(new Set(cases.map((c) => c.healthStatus.status))).toEqual(
      new Set(['Progressing', 'Suspended', 'Healthy', 'Degraded']),
    );
  });

  it('ships the same script in the argocd-cm snippet', () => {
    const cm = parse(readFileSync(`${DIR}/argocd-cm.yaml`, 'utf8')) as { data: Record<string, string> };
    expect(cm.data['resource.customizations.health.serin.dev_Canary']).toBe(script);
  });
});
