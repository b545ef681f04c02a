/**
 * Wire types of Centrifugo v6's server API, generated from its `api.proto`
 * (see `src/_generated/api.ts`), with the names the proto gives them.
 *
 * Field names keep Centrifugo's snake_case so they match its documentation
 * one to one. `data`, `info`, `conn_info` and `chan_info` are arbitrary JSON.
 *
 * @module
 */

export type * from "./_generated/api.ts";
