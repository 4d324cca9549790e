import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'user_id' }) field!: string;
  @ApiProperty({ type: [String], example: ['user_id must be a string'] }) problems!: string[];
}

/** The one shape every error answer takes. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) status_code!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'Validation failed: user_id' }) message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on validation errors: one entry per bad field' })
  fields?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'Present on a 503 to a submission: the id to submit again with', example: '6c1f2a4e-0b7d-4c1e-9a55-3f0e8d2b7c11' })
  execution_id?: string;
}
