/** What every command function receives (DESIGN.md §2 rule 8); src/cli/main.ts builds it. */
export interface CommandContext {
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly signal: AbortSignal;
  readonly isTTY: boolean;
}
