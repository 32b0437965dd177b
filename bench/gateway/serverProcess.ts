import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { ParentMessage, ServerMessage, ServerOptions } from './server';

/** The bench server (server.ts) in a child process, driven over IPC. */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (m: ServerMessage) => void>();
  ready!: Extract<ServerMessage, { type: 'ready' }>;

  private constructor(readonly child: ChildProcess) {}

  static async start(
    options: ServerOptions,
    label: string,
  ): Promise<ServerProcess> {
    const child = fork(path.join(__dirname, 'server.ts'), [], {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      ],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BENCH_SERVER: JSON.stringify(options),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const server = new ServerProcess(child);
    server.ready = await new Promise((resolve, reject) => {
      child.on('exit', code =>
        reject(new Error(`The ${label} process exited (code ${code})`)),
      );
      child.on('message', (message: ServerMessage) => {
        if (message?.type === 'ready') {
          resolve(message);
        } else if (message?.type === 'error') {
          reject(new Error(`The ${label} process failed: ${message.message}`));
        } else if (message && 'id' in message) {
          server.pending.get(message.id)?.(message);
          server.pending.delete(message.id);
        }
      });
    });
    return server;
  }

  request<T extends ServerMessage>(
    message: { type: ParentMessage['type'] } & Record<string, unknown>,
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise(resolve => {
      this.pending.set(id, m => resolve(m as T));
      this.child.send({ ...message, id });
    });
  }

  async stop() {
    if (this.child.exitCode !== null) {
      return;
    }
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
