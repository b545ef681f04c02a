// The part of node-redis (npm:redis) that tests/stream_test.ts uses, as its
// types for that import. The package's own declarations reference
// @types/node, which would then replace Deno's Node types in every program
// that type-checks the test files together (deno task check), and change how
// node:assert narrows in other tests.

/** A connected node-redis client (the commands the tests use). */
export interface RedisClient {
  connect(): Promise<RedisClient>;
  close(): Promise<void>;
  xAdd(key: string, id: string, message: Record<string, string>): Promise<string>;
  xLen(key: string): Promise<number>;
  sendCommand(args: string[]): Promise<unknown>;
}

/** node-redis's client factory. */
export function createClient(options: { url: string }): RedisClient;
