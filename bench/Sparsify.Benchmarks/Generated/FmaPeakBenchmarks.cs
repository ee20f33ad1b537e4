using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// This CPU's fp32 FMA peak: each thread runs 12 independent FMA chains of the widest vectors the kernels
/// use (Vector512 where .NET finds it fast, as the dense GEMM's micro-kernel does, else Vector256; enough
/// chains to hide the FMA latency on current x64 cores), so the time is bound by FMA throughput alone. Measured on 2
/// threads at once and on 1 thread: on a shared VM the second core is often lent to a neighbour, so
/// the peak of 2 cores is the larger of the 2-thread figure and twice the 1-thread one.
/// </summary>
[MedianColumn]
[Config(typeof(InProcessJobConfig))]
public class FmaPeakBenchmarks
{
    /// <summary>Iterations of the 12-chain loop per thread.</summary>
    public const int Iterations = 2_000_000;

    /// <summary>Threads, as for the model benchmarks.</summary>
    public const int Threads = 2;

    /// <summary>Lanes of the vectors the loop runs on.</summary>
    public static readonly int Lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;

    /// <summary>Floating-point operations of one thread's loop: iterations x 12 chains x lanes x 2.</summary>
    public static double FlopsPerThread => (double)Iterations * 12 * Lanes * 2;

    /// <summary>Floating-point operations of one invocation of <see cref="Peak"/>.</summary>
    public static double Flops => Threads * FlopsPerThread;

    [Benchmark(Description = "FMA peak, 2 threads")]
    public float Peak()
    {
        var results = new float[Threads];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t] = Chains(Iterations, t + 1));
        return results.Sum();
    }

    [Benchmark(Description = "FMA peak, 1 thread")]
    public float OneThread() => Chains(Iterations, 1);

    private static float Chains(int iterations, float seed) => Lanes == Vector512<float>.Count ? WideChains(iterations, seed) : NarrowChains(iterations, seed);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float WideChains(int iterations, float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (var i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a);
            c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a);
            c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a);
            c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a);
            c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a);
            c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a);
            c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }

        return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float NarrowChains(int iterations, float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (var i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a);
            c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a);
            c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a);
            c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a);
            c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a);
            c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a);
            c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }

        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }
}
