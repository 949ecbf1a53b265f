import { afterEach, describe, expect, it, vi } from 'vitest';
import { canaryView } from '../../readmodel/index.ts';
import { chooseView, createLiveDisplay, createLogDisplay, fitLine, wrapText } from './display.ts';

const ESC = String.fromCharCode(27);

const view = (weight: number) =>
  canaryView({
    canary: {
      metadata: { name: 'podinfo' },
      spec: { steps: [{ setWeight: 10 }] },
      status: { phase: 'Progressing', currentStepIndex: 0, canaryWeight: weight },
    },
  });

describe('chooseView', () => {
  it('redraws in place only on a terminal that can', () => {
    expect(chooseView({ requested: 'auto', isTTY: true, term: 'xterm' })).toBe('live');
    expect(chooseView({ requested: 'auto', isTTY: false, term: 'xterm' })).toBe('log');
    expect(chooseView({ requested: 'auto', isTTY: true, term: 'dumb' })).toBe('log');
  });

  it('does what it is told when told', () => {
    expect(chooseView({ requested: 'log', isTTY: true, term: 'xterm' })).toBe('log');
    expect(chooseView({ requested: 'live', isTTY: false, term: undefined })).toBe('live');
  });
});

describe('fitLine', () => {
  it('counts only visible characters and keeps the escape sequences', () => {
    const line = '\x1b[32mabcdef\x1b[0m';
    expect(fitLine(line, 10)).toBe(line);
    expect(fitLine(line, 3)).toBe('\x1b[32mabc\x1b[0m');
  });
});

describe('wrapText', () => {
  it('breaks at spaces, and inside words longer than the width', () => {
    expect(wrapText('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});

describe('log display', () => {
  it('prints one line per change, with the seconds since start and no ANSI', () => {
    let now = 1_000;
    let written = '';
    const display = createLogDisplay({ write: (text) => (written += text), now: () => now });
    now = 2_500;
    display.say('hello');
    display.update(view(0));
    display.update(view(0));
    now = 3_000;
    display.update(view(10));
    expect(written.split('\n').filter((l) => l !== '')).toEqual([
      '  1.5s  hello',
      '  1.5s  podinfo  Progressing  step 1/1 set weight 10%  primary ██████████ 100 | canary ░░░░░░░░░░ 0',
      '  2.0s  podinfo  Progressing  step 1/1 set weight 10%  primary █████████░ 90 | canary █░░░░░░░░░ 10',
    ]);
    expect(written).not.toContain('\x1b');
  });

  it('logs only what changed after the view it starts from', () => {
    let written = '';
    const display = createLogDisplay({ write: (text) => (written += text), since: view(10) });
    display.update(view(10));
    expect(written).toBe('');
  });
});

describe('live display', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws about four times a second over the lines it drew before', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const display = createLiveDisplay({
      write: (text) => writes.push(text),
      title: 'serin demo',
      size: () => ({ columns: 80, rows: 40 }),
      colour: false,
    });
    display.update(view(10));
    vi.advanceTimersByTime(1_000);
    const frames = writes.filter((w) => w.includes('serin demo'));
    expect(frames.length).toBe(4);
    const drawn = (frames[0]?.match(/\n/g) ?? []).length;
    expect(frames[1]?.startsWith(`\x1b[${drawn}F`)).toBe(true);
    expect(frames[1]).toContain('primary █████████░ 90 | canary █░░░░░░░░░ 10');
    display.close();
    expect(writes.at(-1)).toBe('\x1b[?25h');
    const count = writes.length;
    vi.advanceTimersByTime(1_000);
    expect(writes.length).toBe(count);
  });

  it('never draws more lines than the terminal has, nor wider ones', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const display = createLiveDisplay({
      write: (text) => writes.push(text),
      title: 'serin demo',
      size: () => ({ columns: 30, rows: 6 }),
      colour: true,
    });
    display.update(view(10));
    display.say('a sentence long enough to need more than one line of thirty columns');
    display.close();
    const frame = writes.filter((w) => w.includes('serin demo')).at(-1) ?? '';
    const visible = frame
      .replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '')
      .split('\n')
      .filter((l) => l !== '');
    expect(visible.length).toBeLessThanOrEqual(5);
    for (const line of visible) expect(line.length).toBeLessThanOrEqual(30);
  });

  it("shows the demo's newest sentences whole, never a sentence's tail alone", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const display = createLiveDisplay({
      write: (text) => writes.push(text),
      title: 'serin demo',
      size: () => ({ columns: 40, rows: 60 }),
      colour: false,
    });
    for (let i = 1; i <= 8; i++)
      display.say(`sentence ${i} is long enough to wrap onto a second line and then onto a third`);
    display.close();
    const frame = writes.filter((w) => w.includes('serin demo')).at(-1) ?? '';
    const story = frame.split('\n').slice(2, frame.split('\n').indexOf('\x1b[K', 2));
    expect(story[0]).toMatch(/^\s+0\.0s {2}sentence \d/);
    expect(story.join(' ')).toContain('sentence 8');
    expect(story.join(' ')).not.toContain('sentence 1 ');
  });
});
