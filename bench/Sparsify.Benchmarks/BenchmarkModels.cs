using System.Reflection;
using Sparsify.Core.Ir;

namespace Sparsify.Benchmarks;

/// <summary>Where the benchmarked models come from, and their seeded inputs.</summary>
public static class BenchmarkModels
{
    /// <summary>The real ResNet18 from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.</summary>
    public static string ResNet18Path { get; } = typeof(BenchmarkModels).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Path").Value!;

    /// <summary>Uniform [-1, 1) values, the same for the same seed.</summary>
    public static Tensor SeededInput(Shape shape, int seed)
    {
        var random = new Random(seed);
        var data = new float[shape.ElementCount];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return new Tensor(shape, data);
    }
}
