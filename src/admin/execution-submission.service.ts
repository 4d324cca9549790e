import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { eventSourceOf } from '../config/event-source.js';
import type { ExecutionQueueOptions } from '../config/execution-queue.options.js';
import { createEvent } from '../contracts/event-factory.js';
import { EventType } from '../contracts/event-type.constants.js';
import { DEFAULT_PRIORITY } from '../contracts/priority.constants.js';
import { CLOCK, EVENT_PUBLISHER } from '../execution-queue.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../execution-queue.module-definition.js';
import type { Clock } from '../coordinator/domain/clock.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { PublishTimeoutError } from '../ports/publish-timeout.error.js';
import { SubmissionUnavailableException } from './submission-unavailable.exception.js';
import type { SubmitExecutionDto } from './dto/submit-execution.dto.js';
import { FieldValidationException } from './http-exception.filter.js';
import { languageRuntimesWith, type LanguageRuntime } from '../contracts/language-runtimes.js';

export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Turns a REST submission into an `execution_requested` event, filling in runtime defaults. */
@Injectable()
export class ExecutionSubmissionService {
  /** The built-in languages with the images the operator chose (`RUNTIME_IMAGES`). */
  private readonly runtimes: Readonly<Record<string, LanguageRuntime>>;

  constructor(
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ExecutionQueueOptions,
  ) {
    this.runtimes = languageRuntimesWith(options.runtimeImages ?? []);
  }

  async submit(body: SubmitExecutionDto): Promise<string> {
    const runtime = this.runtimes[body.language];
    if (!runtime && (!body.runtime_image || !body.runtime_command || !body.runtime_filename)) {
      throw new FieldValidationException(
        ['runtime_image', 'runtime_command', 'runtime_filename']
          .filter((field) => !body[field as keyof SubmitExecutionDto])
          .map((field) => ({
            field,
            problems: [`${field} is required for language '${body.language}'; known languages: ${Object.keys(this.runtimes).join(', ')}`],
          })),
      );
    }
    const executionId = body.execution_id ?? randomUUID();
    const event = createEvent(
      EventType.ExecutionRequested,
      {
        execution_id: executionId,
        script: body.script,
        language: body.language,
        language_version: body.language_version,
        runtime_image: body.runtime_image ?? runtime!.image(body.language_version),
        runtime_command: body.runtime_command ?? runtime!.command,
        runtime_filename: body.runtime_filename ?? runtime!.filename,
        timeout_seconds: body.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS,
        cpu_limit: body.cpu_limit ?? '',
        memory_limit: body.memory_limit ?? '',
        cpu_request: body.cpu_request ?? '',
        memory_request: body.memory_request ?? '',
        priority: body.priority ?? DEFAULT_PRIORITY,
      },
      { userId: body.user_id },
      eventSourceOf(this.options),
      new Date(this.clock.now()),
    );
    try {
      await this.publisher.publish(event, { signal: AbortSignal.timeout(this.options.submitTimeoutSeconds * 1000) });
    } catch (error) {
      if (error instanceof PublishTimeoutError) throw new SubmissionUnavailableException(executionId, this.options.submitTimeoutSeconds);
      throw error;
    }
    return executionId;
  }
}
