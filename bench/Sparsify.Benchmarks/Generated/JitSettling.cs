using System.Diagnostics;
using System.Runtime;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// Waits out the JIT's background work before anything is timed. Building a model in this process runs
/// Roslyn, and thousands of its methods are then recompiled at tier 1 on a background thread for seconds
/// afterwards: on a 2-core machine that thread takes a core from whatever is measured next (a model at
/// 70% measured 21 ms during it and 11 ms after it).
/// </summary>
public static class JitSettling
{
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Calls <paramref name="call"/> over and over until a window of <see cref="QuietWindow"/> passes with no
    /// method compiled anywhere in the process (the calls let the model's own methods reach tier 1 too), or
    /// until <see cref="Limit"/>. Returns how long it took.
    /// </summary>
    public static TimeSpan Run(Action call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var total = Stopwatch.StartNew();
        while (total.Elapsed < Limit)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var window = Stopwatch.StartNew();
            do
            {
                call();
            }
            while (window.Elapsed < QuietWindow);

            if (JitInfo.GetCompiledMethodCount() == compiled)
            {
                break;
            }
        }

        return total.Elapsed;
    }
}
