using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// One job in this process (the baseline and the generated code share it, and the exporter reads what
/// the setups recorded): 5 warm-up and 20 measured iterations of 8 calls each, and the held-out fidelity column.
/// </summary>
public sealed class InProcessJobConfig : ManualConfig
{
    // A fidelity target's build calibrates on photos in its setup: minutes, past the toolchain's default limit.
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Creates the configuration.</summary>
    public InProcessJobConfig()
    {
        AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(SetupTimeout, logOutput: true)).WithWarmupCount(5).WithIterationCount(20).WithInvocationCount(8).WithUnrollFactor(1));
        AddColumn(new HeldOutCosineColumn());
    }
}
