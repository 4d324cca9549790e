import type { Priority } from '../contracts/priority.constants.js';

/**
 * What the queue operations answer, in the wire's snake_case (the REST API's DTOs describe the
 * same shapes for OpenAPI; the facade hands them to a host as they are).
 */
export interface QueueStatusView {
  queue_depth: number;
  active_count: number;
  max_active_executions: number;
  max_queue_size: number;
  max_executions_per_user: number;
  stale_timeout_seconds: number;
  held: boolean;
  by_priority: Record<Priority, number>;
  oldest_pending_age_seconds: number | null;
}

export interface UserUsageView {
  user_id: string;
  pending: number;
  active: number;
  total: number;
  weight: number;
}

export interface UserDetailView extends UserUsageView {
  limit: number;
}

export interface UserWeightView {
  user_id: string;
  weight: number;
}

export interface PageView<T> {
  items: T[];
  total: number;
}

export interface ActiveExecutionView {
  execution_id: string;
  user_id: string;
  priority: Priority;
  dispatched_at: string;
}

export interface PendingExecutionView {
  execution_id: string;
  user_id: string;
  priority: Priority;
  position: number;
  effective_priority: Priority;
  enqueued_at: string;
  age_seconds: number;
  estimated_start_at: string | null;
}

export interface ExecutionDetailView {
  execution_id: string;
  state: 'pending' | 'active';
  user_id: string;
  priority: Priority;
  position?: number;
  effective_priority?: Priority;
  estimated_start_at?: string | null;
  enqueued_at: string;
  dispatched_at: string | null;
  waiting_reason: string | null;
}

export interface ReprioritizedView {
  execution_id: string;
  priority: Priority;
  position: number;
}

export interface CancellationRequestedView {
  execution_id: string;
  state: 'pending' | 'active';
}

/** Which pending executions a page lists: a level and a user (as the REST query's `priority` and `user_id`). */
export interface PendingQuery {
  priority?: Priority;
  user_id?: string;
}

/** A submission, as `POST /api/v1/executions` takes it (validated by the adapter in front). */
export interface SubmissionRequest {
  execution_id?: string;
  user_id: string;
  script: string;
  language: string;
  language_version: string;
  runtime_image?: string;
  runtime_command?: string[];
  runtime_filename?: string;
  timeout_seconds?: number;
  cpu_limit?: string;
  memory_limit?: string;
  cpu_request?: string;
  memory_request?: string;
  priority?: Priority;
}

export type UsersPageView = PageView<UserUsageView>;
