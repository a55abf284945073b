/** Fixed handles every router listens on. Dynamic handles (replies, receivers) start at FIRST_DYNAMIC. */
export const GET_MODULE = 100;
export const CALL_FUNCTION = 101;
export const FORWARD_LOG = 102;
export const ADD_ROUTE = 103;
export const DEL_ROUTE = 104;
export const SHUTDOWN = 106;
/** Parent to context: kill one of your children now (a forced shutdown through `via`). */
export const KILL_CHILD = 108;
/** Root to a context: module records to keep for the children started through it (mitogen's FORWARD_MODULE). */
export const FORWARD_MODULES = 111;
/** Context to its parent: the records with these keys, from the parent's registry. */
export const GET_RECORDS = 112;
/** A call from below into a service the program exposed (`router.expose`). */
export const CALL_SERVICE = 113;
/** The first frame on a new stream: the context's id, ancestors and settings. */
export const BOOTSTRAP = 110;
export const FIRST_DYNAMIC = 1000;

/** The root router (the process that created `new Router()`) has this id; contexts get 1, 2, ... */
export const ROOT_ID = 0;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** What a context receives in its BOOTSTRAP frame. */
export interface BootstrapConfig {
  id: number;
  /** Its ancestors, nearest first: these have parent authority over it. */
  parentIds: number[];
  name: string;
  maxMessageSize: number;
  logLevel: LogLevel;
  /** The handle at the parent that hears the context is ready. */
  readyHandle: number;
}
