import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ENVIRONMENTS, type Environment } from './error-type.constants.js';
import { ALL_EVENT_TYPES, type EventType } from './event-type.constants.js';
import { IsShortString, Nullable } from './validation.decorators.js';
import { MAX_ID_LENGTH, TIMESTAMP_PATTERN } from './wire-limits.constants.js';

/** Who produced an event and on whose behalf. */
export class EventMetadata {
  @IsShortString()
  service_name!: string;

  @IsShortString()
  service_version!: string;

  @Nullable()
  @IsShortString()
  user_id!: string | null;

  @IsIn(ENVIRONMENTS)
  environment!: Environment;
}

/** Fields every event carries. */
export abstract class BaseEvent {
  @IsUUID('all')
  event_id!: string;

  @IsIn(ALL_EVENT_TYPES)
  event_type!: EventType;

  @IsString()
  @MaxLength(16)
  event_version!: string;

  @Matches(TIMESTAMP_PATTERN, { message: '$property must be an ISO 8601 date-time with an offset' })
  timestamp!: string;

  @Nullable()
  @IsString()
  @MaxLength(MAX_ID_LENGTH)
  aggregate_id!: string | null;

  @IsObject()
  @ValidateNested()
  @Type(() => EventMetadata)
  metadata!: EventMetadata;
}
