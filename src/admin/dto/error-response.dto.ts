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
}
