using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// One job in this process (the baseline and the generated code share it, and the exporter reads what
/// the setups recorded): 5 warm-up and 20 measured iterations of 8 calls each.
/// </summary>
public sealed class InProcessJobConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public InProcessJobConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(5).WithIterationCount(20).WithInvocationCount(8).WithUnrollFactor(1));
}
