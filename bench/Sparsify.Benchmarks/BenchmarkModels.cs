using System.Reflection;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;

namespace Sparsify.Benchmarks;

/// <summary>Where the benchmarked models come from, and their seeded inputs.</summary>
public static class BenchmarkModels
{
    /// <summary>The real ResNet18 from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.</summary>
    public static string ResNet18Path { get; } = Metadata("ResNet18Path");

    /// <summary>The same package's preprocessing model (RGB 0–255 to BGR minus the mean image), as its photos need.</summary>
    public static string ResNetPreprocessPath { get; } = Metadata("ResNetPreprocessPath");

    /// <summary>The repository's root folder.</summary>
    public static string RepoRoot { get; } = Metadata("SparsifyRepoRoot");

    /// <summary>Uniform [-1, 1) values, the same for the same seed.</summary>
    public static Tensor SeededInput(Shape shape, int seed) => SeededTensors.Uniform(shape, seed);

    private static string Metadata(string key) => typeof(BenchmarkModels).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
