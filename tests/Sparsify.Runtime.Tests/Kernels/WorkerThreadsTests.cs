using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>The worker threads every parallel kernel runs on.</summary>
[TestClass]
public sealed class WorkerThreadsTests
{
    [TestMethod]
    public void EveryIndexRunsOnceOnAnyNumberOfWorkers()
    {
        foreach (var workers in new[] { 1, 2, 3, 8 })
        {
            var hits = new int[1000];
            WorkerThreads.For(hits.Length, workers, i => Interlocked.Increment(ref hits[i]));
            Assert.IsTrue(hits.All(h => h == 1), $"{workers} workers");
        }
    }

    [TestMethod]
    public void AFailureOnTheCallerStillWaitsForTheHelpers()
    {
        if (Environment.ProcessorCount < 2)
        {
            Assert.Inconclusive("one processor: no helper thread to wait for");
        }

        // The caller fails only once a helper is inside the body; Run must not return before that helper has left it.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var helperStarted = new ManualResetEventSlim();
            var helperDone = 0;
            var failure = Assert.ThrowsExactly<InvalidOperationException>(() => WorkerThreads.Run(2, worker =>
            {
                if (worker == 0)
                {
                    if (!helperStarted.Wait(TimeSpan.FromSeconds(10)))
                    {
                        throw new TimeoutException("no helper joined");
                    }

                    throw new InvalidOperationException("caller failed");
                }

                helperStarted.Set();
                Thread.Sleep(20);
                Volatile.Write(ref helperDone, 1);
            }));
            Assert.AreEqual("caller failed", failure.Message);
            Assert.AreEqual(1, Volatile.Read(ref helperDone), "Run returned while a helper was still running the job");
        }
    }

    [TestMethod]
    public void AHelpersFailureReachesItsOwnCallerOnly()
    {
        if (Environment.ProcessorCount < 2)
        {
            Assert.Inconclusive("one processor: no helper thread");
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var helperStarted = new ManualResetEventSlim();
            Assert.ThrowsExactly<InvalidOperationException>(() => WorkerThreads.Run(2, worker =>
            {
                if (worker == 0)
                {
                    helperStarted.Wait(TimeSpan.FromSeconds(10));
                    return;
                }

                helperStarted.Set();
                throw new InvalidOperationException("helper failed");
            }));

            // The next job on the same helpers sees no trace of that failure.
            WorkerThreads.For(64, 2, _ => { });
        }
    }
}
