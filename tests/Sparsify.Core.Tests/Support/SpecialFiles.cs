using System.Diagnostics;

namespace Sparsify.Core.Tests.Support;

/// <summary>FIFOs for the tests that a model or its data may be one, and a guard so such a test fails instead of hanging.</summary>
internal static class SpecialFiles
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Creates a FIFO with mkfifo(1), or marks the test inconclusive where there are none.</summary>
    public static string Fifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs in the file system are a Unix feature");
        }

        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.AreEqual(0, mkfifo.ExitCode, $"mkfifo {path}");
        return path;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on another thread and fails if it takes longer than
    /// <see cref="Patience"/>; a reader left blocked on <paramref name="fifo"/> is then released by
    /// opening the FIFO for writing, so the failure does not keep the run from ending.
    /// </summary>
    public static T Within<T>(Func<T> body, string? fifo = null)
    {
        var run = Task.Run(body);
        if (Task.WhenAny(run, Task.Delay(Patience)).GetAwaiter().GetResult() != run)
        {
            if (fifo is not null)
            {
                _ = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write).Dispose());
            }

            Assert.Fail($"still running after {Patience.TotalSeconds} s: it blocks instead of failing");
        }

        return run.GetAwaiter().GetResult();
    }

    /// <summary>The exception <paramref name="body"/> throws, within <see cref="Patience"/>.</summary>
    public static TException Throws<TException>(Action body, string? fifo = null)
        where TException : Exception =>
        Within(() => Assert.ThrowsExactly<TException>(body), fifo);
}
