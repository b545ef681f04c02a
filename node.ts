/**
 * Runs this package's Web-standard handlers (the proxy handlers, the token
 * endpoints, the JWKS handler) under Node's `node:http`, and so under
 * Express and anything else that takes a `(req, res)` listener. On Deno,
 * Bun, Cloudflare Workers or Hono, mount the handlers as they are.
 *
 * @module
 */

export {
  type NodeRequest,
  type NodeResponse,
  toNodeHandler,
  type WebHandler,
} from "./src/_http/node.ts";
