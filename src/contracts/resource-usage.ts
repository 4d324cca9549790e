import { IsInt, IsNumber, Min } from 'class-validator';

/** What an execution consumed, as measured by the runtime. */
export class ResourceUsage {
  @IsNumber()
  @Min(0)
  execution_time_wall_seconds!: number;

  @IsInt()
  @Min(0)
  cpu_time_jiffies!: number;

  @IsInt()
  @Min(0)
  clk_tck_hertz!: number;

  @IsInt()
  @Min(0)
  peak_memory_kb!: number;
}
