import { Logger } from '@nestjs/common';
import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode, apiErrorMessage } from './api-errors.js';
import { EXECUTOR_SELECTOR } from './pod-manifest.js';

const MAX_BACKOFF_MS = 10_000;

/**
 * List-then-watch of the namespace's executor pods (or those a label selector picks). The watch resumes from the last resource
 * version it saw; when the server says that version is gone (410) it lists again; after an
 * error it reconnects with backoff. Every pod state reaches `onPod` in order (possibly twice),
 * so no transition is missed.
 */
export class PodWatcher {
  private readonly logger = new Logger(PodWatcher.name);
  private stopped = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private listed!: () => void;
  private readonly firstList = new Promise<void>((resolve) => (this.listed = resolve));
  /** Handling is serialised so events about one pod are published in order. */
  private queue: Promise<void> = Promise.resolve();
  private expiredWatches = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly onPod: (pod: V1Pod) => Promise<void>,
    private readonly onDeleted: (pod: V1Pod) => void = () => undefined,
    /** Which executor pods to follow (all of the namespace's by default; a worker replica's shards otherwise). */
    private readonly labelSelector = EXECUTOR_SELECTOR,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  whenListed(): Promise<void> {
    return this.firstList;
  }

  /** How many times the server said the version a watch resumed from was gone (410), each followed by a new list. */
  get expiries(): number {
    return this.expiredWatches;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
    await this.queue;
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopped) {
      try {
        const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector });
        for (const pod of list.items) this.enqueue(pod);
        this.listed();
        backoff = 250;
        await this.watchFrom(list.metadata!.resourceVersion!);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`Pod watch failed; reconnecting in ${backoff} ms: ${apiErrorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** Watches from `resourceVersion`, resuming after normal closes; returns when a relist is needed. */
  private async watchFrom(resourceVersion: string): Promise<void> {
    let version = resourceVersion;
    while (!this.stopped) {
      const outcome = await new Promise<'closed' | 'gone'>((resolve, reject) => {
        let gone = false;
        new Watch(this.kubeConfig)
          .watch(
            `/api/v1/namespaces/${this.namespace}/pods`,
            { labelSelector: this.labelSelector, resourceVersion: version, allowWatchBookmarks: true },
            (type: string, object: { metadata?: { resourceVersion?: string }; code?: number }) => {
              if (type === 'ERROR') {
                if (object.code === 410) gone = true;
                return;
              }
              if (object.metadata?.resourceVersion) version = object.metadata.resourceVersion;
              if (type === 'ADDED' || type === 'MODIFIED') this.enqueue(object as V1Pod);
              else if (type === 'DELETED') this.queue = this.queue.then(() => this.onDeleted(object as V1Pod));
            },
            (error: unknown) => {
              if (gone || apiErrorCode(error) === 410) resolve('gone');
              else if (error && !this.stopped) reject(error);
              else resolve('closed');
            },
          )
          .then((controller) => {
            this.abort = controller;
            // stop() may have run while this watch was connecting; it could not abort it then.
            if (this.stopped) controller.abort();
          }, reject);
      });
      if (outcome === 'gone') {
        this.expiredWatches++;
        this.logger.log('Pod watch expired (410 Gone); listing again');
        return;
      }
    }
  }

  private enqueue(pod: V1Pod): void {
    this.queue = this.queue.then(() =>
      this.onPod(pod).catch((error: Error) => this.logger.error(`Handling pod ${pod.metadata?.name} failed: ${error.message}`)),
    );
  }
}
