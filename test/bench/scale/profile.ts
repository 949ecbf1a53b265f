/**
 * `npx tsx test/bench/scale/profile.ts FILE.cpuprofile [--last-minutes M] [--skip-last-seconds S]
 * [--top K] [--callers NAME]`: where a V8 CPU profile (`bench:scale --profile`) spent its time, over
 * M minutes ending S seconds before its end (the measuring window ends just before the heap snapshot
 * and the controller's stop). Prints the share of samples by function (self and inclusive), by file
 * or package, and how much was idle, GC or program code; `--callers` adds the commonest stacks
 * leading to functions of that name.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'last-minutes': { type: 'string' },
    'skip-last-seconds': { type: 'string', default: '0' },
    top: { type: 'string', default: '25' },
    callers: { type: 'string' },
  },
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: profile.ts FILE.cpuprofile [--last-minutes M] [--top K]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a frame's code lives: a package under node_modules, a file of serin, or node itself. */
function place(url: string): string {
  if (url === '') return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1] ?? url;
  if (url.startsWith('node:')) return url;
  const own = /\/(dist|src)\/(.*)$/.exec(url);
  return own === null ? url : `${own[1]}/${own[2]}`;
}

function label(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return frame.url === '' ? name : `${name} ${place(frame.url)}:${frame.lineNumber + 1}`;
}

// Sample times: startTime plus the running sum of timeDeltas (µs).
const times: number[] = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));
const end = (times.at(-1) ?? profile.endTime) - Number(values['skip-last-seconds']) * 1e6;
const from =
  values['last-minutes'] === undefined ? profile.startTime : end - Number(values['last-minutes']) * 60e6;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const files = new Map<string, number>();
const callers = new Map<string, number>();
let counted = 0;
let idle = 0;
let gc = 0;
for (let i = 0; i < profile.samples.length; i++) {
  if ((times[i] ?? 0) < from || (times[i] ?? 0) > end) continue;
  const id = profile.samples[i] ?? 0;
  const node = byId.get(id);
  if (node === undefined) continue;
  counted++;
  const name = node.callFrame.functionName;
  if (name === '(idle)') idle++;
  if (name === '(garbage collector)') gc++;
  const own = label(node.callFrame);
  self.set(own, (self.get(own) ?? 0) + 1);
  const where = place(node.callFrame.url);
  files.set(where, (files.get(where) ?? 0) + 1);
  if (values.callers !== undefined && node.callFrame.functionName === values.callers) {
    const stack: string[] = [];
    for (let at = parent.get(id); at !== undefined && stack.length < 8; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame !== undefined) stack.push(label(frame));
    }
    const key = stack.join(' < ');
    callers.set(key, (callers.get(key) ?? 0) + 1);
  }
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)?.callFrame;
    if (frame === undefined) break;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
  }
}

const pct = (x: number): string => `${((100 * x) / Math.max(1, counted)).toFixed(1)}%`;
const busy = counted - idle;
console.log(
  `# ${file}: ${counted} samples over ${((end - Math.max(from, profile.startTime)) / 1e6).toFixed(0)} s; ` +
    `idle ${pct(idle)}, busy ${pct(busy)} (of which GC ${pct(gc)})`,
);
function table(title: string, map: Map<string, number>): void {
  console.log(`\n## ${title} (share of all samples)`);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${pct(n).padStart(6)}  ${key}`);
  }
}
table('self time by function', self);
table('self time by file or package', files);
table('inclusive time by function', inclusive);
if (values.callers !== undefined) table(`stacks leading to ${values.callers}`, callers);
