import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ExecutionLifecycleEvent, ExecutionLifecycleEventType, ExecutionLifecycleListener } from '../coordinator/execution-lifecycle.port.js';
import { ON_EXECUTION_EVENT } from './execution-event-hooks.js';

/** A function told of lifecycle events (see ExecutionEvents.listen). */
export type ExecutionEventHandler = (event: ExecutionLifecycleEvent) => unknown;

interface Hook {
  /** null: every type. */
  types: ReadonlySet<ExecutionLifecycleEventType> | null;
  handler: ExecutionEventHandler;
  name: string;
}

/**
 * Hands the coordinator's lifecycle events to host code: to every provider method marked with
 * @OnExecutionEvent (found once the application has bootstrapped) and to every function given to
 * `listen`. A hook runs after the queue's own work, is not awaited, and whatever it throws or
 * rejects with is logged and counted (`failures`): a failing hook never breaks the queue.
 */
@Injectable()
export class ExecutionEvents implements ExecutionLifecycleListener, OnApplicationBootstrap {
  private readonly logger = new Logger('ExecutionEvents');
  private readonly hooks: Hook[] = [];
  private failureCount = 0;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Hooks that threw or rejected so far. */
  get failures(): number {
    return this.failureCount;
  }

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        const types = this.reflector.get<ExecutionLifecycleEventType[] | undefined>(ON_EXECUTION_EVENT, target);
        if (types === undefined) continue;
        this.add(types, (target as ExecutionEventHandler).bind(instance), `${instance.constructor.name}.${method}`);
      }
    }
  }

  /** Registers a handler for these types (all when none is given); returns a function that removes it. */
  listen(handler: ExecutionEventHandler, ...types: ExecutionLifecycleEventType[]): () => void {
    const hook = this.add(types, handler, handler.name || 'listener');
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index >= 0) this.hooks.splice(index, 1);
    };
  }

  notify(event: ExecutionLifecycleEvent): void {
    for (const hook of this.hooks) {
      if (hook.types && !hook.types.has(event.type)) continue;
      try {
        const result = hook.handler(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(hook, event, error));
      } catch (error) {
        this.failed(hook, event, error);
      }
    }
  }

  private add(types: ExecutionLifecycleEventType[], handler: ExecutionEventHandler, name: string): Hook {
    const hook: Hook = { types: types.length > 0 ? new Set(types) : null, handler, name };
    this.hooks.push(hook);
    return hook;
  }

  private failed(hook: Hook, event: ExecutionLifecycleEvent, error: unknown): void {
    this.failureCount++;
    this.logger.error(`Hook ${hook.name} failed on ${event.type} of ${event.execution_id}: ${(error as Error)?.message ?? String(error)}`);
  }
}
