using System.Reflection;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;

namespace Sparsify.Benchmarks;

/// <summary>Where the benchmarked models come from, and their seeded inputs.</summary>
public static class BenchmarkModels
{
    /// <summary>The real ResNet18 from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.</summary>
    public static string ResNet18Path { get; } = typeof(BenchmarkModels).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Path").Value!;

    /// <summary>Uniform [-1, 1) values, the same for the same seed.</summary>
    public static Tensor SeededInput(Shape shape, int seed) => SeededTensors.Uniform(shape, seed);
}
