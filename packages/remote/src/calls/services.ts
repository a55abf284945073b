import type { Context } from './context.js';
import { InvalidArgumentError } from '../errors.js';

/** The functions of an exposed service, by name. Only own, enumerable function properties are callable. */
export type ServiceHandlers = Record<string, (...args: never[]) => unknown>;

/**
 * Which contexts may call a service: a list of them, or a function of the calling context (its `id`
 * and `name`, as the root assigned them) that returns true to let the call run.
 */
export type ServicePolicy = readonly Context[] | ((caller: Context) => boolean);

export interface ExposeOptions {
  /** Who may call. There is no default: a service open to every context must say so (`() => true`). */
  policy: ServicePolicy;
}

interface Service {
  /** A copy without a prototype, so a caller can reach nothing the program did not list. */
  handlers: Record<string, unknown>;
  allowed: (caller: Context) => boolean;
}

/** The services a router exposed, as `expose()` registered them, looked up for each call from below. */
export class Services {
  readonly #byName = new Map<string, Service>();

  expose(name: string, handlers: ServiceHandlers, options: ExposeOptions): () => void {
    if (typeof name !== 'string' || name === '' || name.length > 200) throw new InvalidArgumentError('name', 'a non-empty service name of at most 200 characters', name);
    if (this.#byName.has(name)) throw new InvalidArgumentError('name', `a name not already exposed (withdraw '${name}' first)`, name);
    if (typeof handlers !== 'object' || handlers === null) throw new InvalidArgumentError('handlers', 'an object of functions', handlers);
    const copied: Record<string, unknown> = Object.create(null);
    for (const [method, fn] of Object.entries(handlers)) {
      if (typeof fn !== 'function') throw new InvalidArgumentError(`handlers.${method}`, 'a function', fn);
      copied[method] = (fn as (...args: unknown[]) => unknown).bind(handlers);
    }
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object with a policy', options);
    const service: Service = { handlers: copied, allowed: allowedBy(options.policy) };
    this.#byName.set(name, service);
    return () => {
      if (this.#byName.get(name) === service) this.#byName.delete(name);
    };
  }

  /** The service's handlers, if `caller` may call `method` of `name`; else why not. */
  find(name: string, method: string, caller: Context): { handlers: Record<string, unknown> } | { refused: string } {
    const service = this.#byName.get(name);
    if (service === undefined) return { refused: `no service '${name}' is exposed here` };
    if (!service.allowed(caller)) return { refused: `the policy of service '${name}' does not let ${caller.name} (context ${caller.id}) call it` };
    if (!Object.hasOwn(service.handlers, method)) return { refused: `service '${name}' has no function '${method}'` };
    return { handlers: service.handlers };
  }
}

function allowedBy(policy: ServicePolicy): (caller: Context) => boolean {
  if (typeof policy === 'function') {
    return (caller) => {
      try {
        return policy(caller) === true;
      } catch {
        // A policy that throws lets nobody in.
        return false;
      }
    };
  }
  if (Array.isArray(policy) && policy.every((context) => typeof context === 'object' && context !== null && typeof (context as Context).id === 'number')) {
    const ids = new Set(policy.map((context) => context.id));
    return (caller) => ids.has(caller.id);
  }
  throw new InvalidArgumentError('policy', 'the contexts that may call, or a function (caller: Context) => boolean', policy);
}
