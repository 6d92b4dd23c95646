import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A bench process: the app server, the baseline server or a measured job. */
export interface Child {
  proc: ChildProcess;
  ready: { port: number; viewCache: boolean; [key: string]: unknown };
  /** Asks the child to run a task; resolves with its answer. */
  ask<T = unknown>(run: string, args?: unknown[]): Promise<{ result: T; ms: number; maxRssMb: number }>;
  stop(): Promise<void>;
}

const script = (name: string) => join(__dirname, '..', name);

export function startChild(name: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Child> {
  const proc = fork(script(name), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
      for (const w of waiting.values()) w.reject(new Error(`${name} exited with ${code}`));
    });
    proc.on('message', (msg: { ready?: boolean; id?: number; ok?: boolean; error?: string; port: number; viewCache: boolean }) => {
      if (msg.ready) {
        clearTimeout(timer);
        resolve({
          proc,
          ready: msg,
          ask: (run, args = []) =>
            new Promise((res, rej) => {
              const id = ++seq;
              waiting.set(id, { resolve: res as never, reject: rej });
              proc.send({ id, run, args });
            }),
          stop: () =>
            new Promise<void>((res) => {
              if (proc.exitCode !== null) return res();
              const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
              proc.once('exit', () => {
                clearTimeout(kill);
                res();
              });
              proc.disconnect();
            }),
        });
        return;
      }
      if (msg.id !== undefined) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (!w) return;
        if (msg.ok) w.resolve(msg as never);
        else w.reject(new Error(msg.error));
      }
    });
  });
}

/** Runs a job script to its end in a process of its own; resolves with the message it sends. */
export function runJob<T>(
  name: string,
  env: Record<string, string>,
  args: Record<string, string>,
  options: { timeoutMs?: number; execArgv?: string[] } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const proc = fork(script(name), [JSON.stringify(args)], {
    env: { ...process.env, ...env },
    execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let answer: T | undefined;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} ${JSON.stringify(args)} took over ${timeoutMs} ms`));
    }, timeoutMs);
    proc.on('message', (msg: T) => (answer = msg));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && answer !== undefined) resolve(answer);
      else reject(new Error(`${name} ${JSON.stringify(args)} exited with ${code}`));
    });
  });
}
