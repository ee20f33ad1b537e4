namespace Sparsify.Core.Execution;

/// <summary>How the reference executor runs.</summary>
public sealed record ExecutorOptions
{
    /// <summary>Threads used inside one layer; 1 runs single-threaded. Results are identical for a given value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}
