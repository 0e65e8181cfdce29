// Runs the eva command as a user would: `node bin/eva.js <args>` in its own
// process, with the given environment over this one's (undefined removes a
// variable), and answers its exit code and output whatever the code.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runEva(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { timeout?: number; maxBuffer?: number } = {},
): Promise<CliResult> {
  const environment: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete environment[k];
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/eva.js", ...args], {
      env: environment,
      timeout: options.timeout ?? 60_000,
      ...(options.maxBuffer ? { maxBuffer: options.maxBuffer } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
