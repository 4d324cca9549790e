/**
 * Reads back what an executor pod's entrypoint (assets/entrypoint.sh) reported: the program's
 * stdout and stderr from the frames it wrote to the container log, and its exit code and
 * resource figures from the container's termination message. Pure functions: no cluster here.
 */

/** The line that opens or closes a frame on the log. */
export const FRAME_MARKER = '@@execution-queue';

/** One output stream as the pod reported it. */
export interface CapturedStream {
  /** What was kept, decoded as UTF-8. */
  text: string;
  /** Bytes the program wrote in all. */
  writtenBytes: number;
  /** Bytes kept (the entrypoint keeps at most its output limit). */
  keptBytes: number;
}

export interface CapturedOutput {
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/** The termination message's figures. */
export interface TerminationReport {
  exitCode: number;
  wallNanoseconds: number;
  cpuNanoseconds: number;
  peakMemoryBytes: number;
  oomKills: number;
  clockTicksPerSecond: number;
  /** The program was cut short by a stop signal (the deadline or a deletion). */
  stopped: boolean;
}

/** The event's `resource_usage` object. */
export interface ResourceUsageFigures {
  execution_time_wall_seconds: number;
  cpu_time_jiffies: number;
  clk_tck_hertz: number;
  peak_memory_kb: number;
}

const EMPTY_STREAM: CapturedStream = { text: '', writtenBytes: 0, keptBytes: 0 };
const FRAME_HEADER = new RegExp(`^${FRAME_MARKER} (stdout|stderr) (\\d+)$`);
const FRAME_END = `${FRAME_MARKER} end`;

/**
 * The frames on a container log. Lines outside frames (a shell's complaint, say) are ignored;
 * undefined when the log holds no frame at all (the entrypoint never reached its report).
 */
export function parseOutputFrames(log: string): CapturedOutput | undefined {
  const streams: Partial<Record<'stdout' | 'stderr', CapturedStream>> = {};
  const lines = log.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const header = FRAME_HEADER.exec(lines[index]!);
    if (!header) continue;
    const body: string[] = [];
    for (index++; index < lines.length && lines[index] !== FRAME_END; index++) body.push(lines[index]!);
    const bytes = Buffer.from(body.join(''), 'base64');
    const writtenBytes = Number(header[2]);
    // A cut can split a character; its first bytes would decode as a replacement character.
    const kept = writtenBytes > bytes.length ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes;
    streams[header[1] as 'stdout' | 'stderr'] = { text: kept.toString('utf8'), writtenBytes, keptBytes: kept.length };
  }
  if (!streams.stdout && !streams.stderr) return undefined;
  return { stdout: streams.stdout ?? EMPTY_STREAM, stderr: streams.stderr ?? EMPTY_STREAM };
}

/** How many leading bytes end on a whole UTF-8 character (an incomplete last one is left out). */
function completeUtf8Length(bytes: Buffer): number {
  // A character is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** The termination message's `key=value` lines; undefined when it is not the entrypoint's. */
export function parseTerminationMessage(message: string | undefined): TerminationReport | undefined {
  if (!message) return undefined;
  const values = new Map<string, number>();
  for (const line of message.split('\n')) {
    const match = /^([a-z_]+)=(-?\d+)$/.exec(line.trim());
    if (match) values.set(match[1]!, Number(match[2]));
  }
  const exitCode = values.get('exit_code');
  if (exitCode === undefined) return undefined;
  const figure = (key: string) => Math.max(0, values.get(key) ?? 0);
  return {
    exitCode,
    wallNanoseconds: figure('wall_nanoseconds'),
    cpuNanoseconds: figure('cpu_nanoseconds'),
    peakMemoryBytes: figure('peak_memory_bytes'),
    oomKills: figure('oom_kills'),
    clockTicksPerSecond: figure('clk_tck') || 100,
    stopped: values.get('stopped') === 1,
  };
}

/** The figures as the events carry them: CPU time in clock ticks, memory in KiB. */
export function resourceUsageOf(report: TerminationReport): ResourceUsageFigures {
  return {
    execution_time_wall_seconds: report.wallNanoseconds / 1e9,
    cpu_time_jiffies: Math.round((report.cpuNanoseconds * report.clockTicksPerSecond) / 1e9),
    clk_tck_hertz: report.clockTicksPerSecond,
    peak_memory_kb: Math.round(report.peakMemoryBytes / 1024),
  };
}

/**
 * A stream's text as the event carries it: what was kept, plus a marker when the program wrote
 * more than the limit, saying how many bytes were dropped.
 */
export function reportedText(stream: CapturedStream): string {
  const dropped = stream.writtenBytes - stream.keptBytes;
  if (dropped <= 0) return stream.text;
  return `${stream.text}\n[execution-queue] output cut: ${dropped} more bytes were written and dropped (limit ${stream.keptBytes} bytes)`;
}
