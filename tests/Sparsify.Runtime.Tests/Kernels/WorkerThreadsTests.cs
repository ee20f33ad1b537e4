using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>The worker threads every parallel kernel runs on.</summary>
/// <remarks>
/// Not in parallel with other classes: a helper busy with another class's job is skipped by design, and
/// these tests need one to join. Even so an attempt whose helper did not join is retried, not failed.
/// </remarks>
[TestClass]
[DoNotParallelize]
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
    public void AThreadCountAboveTheProcessorsIsClampedToThem()
    {
        var processors = Environment.ProcessorCount;
        Assert.AreEqual(processors, WorkerThreads.Count(0));
        Assert.AreEqual(processors, WorkerThreads.Count(-3));
        Assert.AreEqual(1, WorkerThreads.Count(1));
        Assert.AreEqual(processors, WorkerThreads.Count(processors));
        Assert.AreEqual(processors, WorkerThreads.Count(processors + 1));
        Assert.AreEqual(processors, WorkerThreads.Count(int.MaxValue));
    }

    [TestMethod]
    public void AFailureOnTheCallerStillWaitsForTheHelpers()
    {
        if (Environment.ProcessorCount < 2)
        {
            Assert.Inconclusive("one processor: no helper thread to wait for");
        }

        // The caller fails only once a helper is inside the body; Run must not return before that helper has left it.
        var checkedRuns = 0;
        for (var attempt = 0; attempt < 200 && checkedRuns < 20; attempt++)
        {
            using var helperStarted = new ManualResetEventSlim();
            var helperDone = 0;
            try
            {
                WorkerThreads.Run(2, worker =>
                {
                    if (worker == 0)
                    {
                        // A helper that is not free is skipped: then this attempt checks nothing.
                        if (helperStarted.Wait(TimeSpan.FromSeconds(1)))
                        {
                            throw new InvalidOperationException("caller failed");
                        }

                        return;
                    }

                    helperStarted.Set();
                    Thread.Sleep(20);
                    Volatile.Write(ref helperDone, 1);
                });
            }
            catch (InvalidOperationException e) when (e.Message == "caller failed")
            {
                Assert.AreEqual(1, Volatile.Read(ref helperDone), "Run returned while a helper was still running the job");
                checkedRuns++;
            }
        }

        Assert.IsGreaterThan(0, checkedRuns, "no helper ever joined");
    }

    [TestMethod]
    public void AHelpersFailureReachesItsOwnCallerOnly()
    {
        if (Environment.ProcessorCount < 2)
        {
            Assert.Inconclusive("one processor: no helper thread");
        }

        var checkedRuns = 0;
        for (var attempt = 0; attempt < 200 && checkedRuns < 20; attempt++)
        {
            using var helperStarted = new ManualResetEventSlim();
            try
            {
                WorkerThreads.Run(2, worker =>
                {
                    if (worker == 0)
                    {
                        helperStarted.Wait(TimeSpan.FromSeconds(1));
                        return;
                    }

                    helperStarted.Set();
                    throw new InvalidOperationException("helper failed");
                });
            }
            catch (InvalidOperationException e) when (e.Message == "helper failed")
            {
                checkedRuns++;
            }

            // The next job on the same helpers sees no trace of that failure.
            WorkerThreads.For(64, 2, _ => { });
        }

        Assert.IsGreaterThan(0, checkedRuns, "no helper ever joined");
    }
}
