/** Reads what a Dockerfile's stages copy, so a test can assemble the same folder without Docker. */

/** One COPY instruction: from the build context, or from an earlier stage. */
export interface CopyStep {
  from: string | undefined;
  source: string;
  destination: string;
}

/** One stage: its base image, name, WORKDIR, COPY steps, USER and ENTRYPOINT. */
export interface Stage {
  image: string;
  name: string | undefined;
  workdir: string;
  copies: CopyStep[];
  user: string | undefined;
  entrypoint: string[] | undefined;
}

/** Parses the instructions serin's Dockerfile uses (FROM, WORKDIR, COPY, USER, ENTRYPOINT). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [instruction = '', ...words] = line.split(/\s+/);
    const rest = line.slice(instruction.length).trim();
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'FROM':
        stages.push({
          image: words[0] ?? '',
          name: /\bAS\s+(\S+)/i.exec(rest)?.[1],
          workdir: '/',
          copies: [],
          user: undefined,
          entrypoint: undefined,
        });
        break;
      case 'WORKDIR':
        if (stage) stage.workdir = rest;
        break;
      case 'COPY': {
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const destination = paths.pop() ?? '';
        for (const source of paths) stage?.copies.push({ from, source, destination });
        break;
      }
      case 'USER':
        if (stage) stage.user = rest;
        break;
      case 'ENTRYPOINT':
        if (stage) stage.entrypoint = JSON.parse(rest) as string[];
        break;
      default:
        break;
    }
  }
  return stages;
}
