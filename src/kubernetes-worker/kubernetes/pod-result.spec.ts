import { parseOutputFrames, parseTerminationMessage, reportedText, resourceUsageOf } from './pod-result.js';

const frame = (stream: string, written: number, bytes: Buffer) =>
  [`@@execution-queue ${stream} ${written}`, ...(bytes.toString('base64').match(/.{1,76}/g) ?? []), '@@execution-queue end'].join('\n');

describe('pod result', () => {
  it('reads both streams byte-exact from the frames, without a trailing newline added or lost', () => {
    const log = [frame('stdout', 11, Buffer.from('out: héllo')), frame('stderr', 0, Buffer.alloc(0)), ''].join('\n');
    expect(parseOutputFrames(log)).toEqual({
      stdout: { text: 'out: héllo', writtenBytes: 11, keptBytes: 11 },
      stderr: { text: '', writtenBytes: 0, keptBytes: 0 },
    });
  });

  it('ignores lines outside the frames and reports a log with no frame as none', () => {
    const log = ['sh: 1: noise', frame('stderr', 4, Buffer.from('oops')), 'more noise'].join('\n');
    expect(parseOutputFrames(log)).toMatchObject({ stdout: { text: '' }, stderr: { text: 'oops' } });
    expect(parseOutputFrames('just a log\n')).toBeUndefined();
    expect(parseOutputFrames('')).toBeUndefined();
  });

  it('leaves out a character the cut split and says how many bytes were dropped', () => {
    // 'é' is two bytes: keeping 6 of 'abcdeé…' splits it.
    const written = Buffer.from('abcdeéfgh');
    const output = parseOutputFrames(frame('stdout', written.length, written.subarray(0, 6)))!;
    expect(output.stdout).toEqual({ text: 'abcde', writtenBytes: 10, keptBytes: 5 });
    expect(reportedText(output.stdout)).toBe('abcde\n[execution-queue] output cut: 5 more bytes were written and dropped (limit 5 bytes)');
    expect(reportedText({ text: 'all', writtenBytes: 3, keptBytes: 3 })).toBe('all');
  });

  it('reads the termination message and turns it into the events resource figures', () => {
    const report = parseTerminationMessage('exit_code=3\nwall_nanoseconds=1500000000\ncpu_nanoseconds=250000000\npeak_memory_bytes=10485760\noom_kills=0\nclk_tck=100\nstopped=0\n')!;
    expect(report).toEqual({ exitCode: 3, wallNanoseconds: 1_500_000_000, cpuNanoseconds: 250_000_000, peakMemoryBytes: 10_485_760, oomKills: 0, clockTicksPerSecond: 100, stopped: false });
    expect(resourceUsageOf(report)).toEqual({ execution_time_wall_seconds: 1.5, cpu_time_jiffies: 25, clk_tck_hertz: 100, peak_memory_kb: 10_240 });
  });

  it('takes a message without an exit code as not the entrypoint’s', () => {
    expect(parseTerminationMessage(undefined)).toBeUndefined();
    expect(parseTerminationMessage('panic: something else')).toBeUndefined();
    expect(parseTerminationMessage('exit_code=0')).toMatchObject({ exitCode: 0, clockTicksPerSecond: 100, stopped: false });
  });
});
