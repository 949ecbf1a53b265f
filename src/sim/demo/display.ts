import {
  PLAIN_STYLE,
  renderCanaryView,
  viewChanges,
  type CanaryView,
  type TextStyle,
} from '../../readmodel/index.ts';

/** Where the demo shows what happens: a redrawn screen on a terminal, a plain log elsewhere. */
export interface DemoDisplay {
  /** A sentence from the demo itself: what it does and why. */
  say(text: string): void;
  /** The Canary as it is now. */
  update(view: CanaryView): void;
  /** Stops redrawing; the last screen stays. */
  close(): void;
}

/** Which display to use. */
export type ViewMode = 'live' | 'log';

/** `auto` picks the live view only on a terminal that can show it. */
export function chooseView(options: {
  requested: 'auto' | ViewMode;
  isTTY: boolean;
  term: string | undefined;
}): ViewMode {
  if (options.requested !== 'auto') return options.requested;
  return options.isTTY && options.term !== 'dumb' ? 'live' : 'log';
}

function elapsed(startedAt: number, now: number): string {
  return `${((now - startedAt) / 1000).toFixed(1)}s`.padStart(6);
}

/** One line per change, prefixed by the seconds since the demo started; no ANSI. */
export function createLogDisplay(options: {
  write: (text: string) => void;
  now?: () => number;
  /** A view already shown: only what changes after it is logged. */
  since?: CanaryView | undefined;
  /** Where the seconds count from (default: now). */
  startedAt?: number;
}): DemoDisplay {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  let previous = options.since;
  const line = (text: string): void => {
    options.write(`${elapsed(startedAt, now())}  ${text}\n`);
  };
  return {
    say: line,
    update: (view) => {
      for (const change of viewChanges(previous, view)) line(change);
      previous = view;
    },
    close: () => undefined,
  };
}

const ESC = '\x1b[';
const paint =
  (code: string) =>
  (text: string): string =>
    `${ESC}${code}m${text}${ESC}0m`;

const PHASE_COLOUR: Record<CanaryView['phase'], string> = {
  Initializing: '36',
  Idle: '2',
  Progressing: '36',
  Paused: '33',
  Promoting: '32',
  Succeeded: '1;32',
  Aborted: '1;31',
  Failed: '1;31',
  Unknown: '2',
};

/** ANSI colours for the live view. */
export const ANSI_STYLE: TextStyle = {
  phase: (text, phase) => paint(PHASE_COLOUR[phase])(text),
  good: paint('32'),
  bad: paint('31'),
  dim: paint('2'),
  bold: paint('1'),
};

/** Cuts a line to `columns` visible characters, keeping (and closing) its escape sequences. */
export function fitLine(line: string, columns: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      if (end === -1) break;
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= columns) return `${out}${ESC}0m`;
    out += line.charAt(i);
    visible++;
  }
  return out;
}

/** Breaks plain text into lines of at most `width` characters, at spaces where possible. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = '';
    }
    current = current === '' ? word : `${current} ${word}`;
    while (current.length > width) {
      lines.push(current.slice(0, width));
      current = current.slice(width);
    }
  }
  return current === '' ? lines : [...lines, current];
}

/** How many lines of the demo's own sentences the live view keeps. */
const STORY_LINES = 10;

/** Options for {@link createLiveDisplay}. */
export interface LiveDisplayOptions {
  write: (text: string) => void;
  title: string;
  /** Terminal size, read on every frame (it can change). */
  size: () => { columns: number; rows: number };
  colour: boolean;
  now?: () => number;
  /** Redraws per second (default 4). */
  fps?: number;
}

function storyLines(
  story: readonly { at: string; text: string }[],
  columns: number,
  style: TextStyle,
): string[] {
  const width = Math.max(20, columns - 8);
  const kept: string[][] = [];
  let total = 0;
  // Whole sentences only: the newest ones that fit.
  for (const { at, text } of [...story].reverse()) {
    const lines = wrapText(text, width).map(
      (line, i) => `${i === 0 ? style.dim(at) : ' '.repeat(6)}  ${line}`,
    );
    if (total + lines.length > STORY_LINES && kept.length > 0) break;
    kept.unshift(lines);
    total += lines.length;
  }
  return kept.flat();
}

/**
 * A compact screen redrawn in place a few times a second: the demo's own sentences, then the
 * Canary's block. Redraws relative to where it started, so the terminal's history stays intact.
 */
export function createLiveDisplay(options: LiveDisplayOptions): DemoDisplay {
  const now = options.now ?? Date.now;
  const style = options.colour ? ANSI_STYLE : PLAIN_STYLE;
  const startedAt = now();
  const story: { at: string; text: string }[] = [];
  let view: CanaryView | undefined;
  let drawn = 0;
  let closed = false;
  const frame = (): string[] => {
    const clock = style.dim(`${((now() - startedAt) / 1000).toFixed(0)}s`);
    const lines = [`${style.bold(options.title)}  ${clock}`, ''];
    lines.push(...storyLines(story, options.size().columns, style), '');
    lines.push(
      ...(view === undefined ? [style.dim('waiting for the Canary...')] : renderCanaryView(view, style)),
    );
    return lines;
  };
  const draw = (): void => {
    const { columns, rows } = options.size();
    const lines = frame().slice(0, Math.max(1, rows - 1));
    const up = drawn > 0 ? `${ESC}${drawn}F` : '';
    const body = lines.map((line) => `${fitLine(line, columns)}${ESC}K`).join('\n');
    options.write(`${up}${body}\n${ESC}J`);
    drawn = lines.length;
  };
  options.write(`${ESC}?25l`);
  const timer = setInterval(draw, 1000 / (options.fps ?? 4));
  return {
    say: (text) => {
      story.push({ at: `${((now() - startedAt) / 1000).toFixed(1)}s`.padStart(6), text });
      draw();
    },
    update: (next) => {
      view = next;
    },
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      draw();
      options.write(`${ESC}?25h`);
    },
  };
}
