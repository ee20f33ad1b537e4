using System.Reflection;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;

namespace Sparsify.Core.Tests.Support;

/// <summary>Seeded inputs and the location of the real ResNet18 from its NuGet package.</summary>
internal static class TestData
{
    public static string ResNet18Path
    {
        get
        {
            var path = typeof(TestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "ResNet18Path").Value!;
            Assert.IsTrue(File.Exists(path), $"ResNet18.onnx should come from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package at {path}");
            return path;
        }
    }

    /// <summary>Uniform values in [-1, 1), the same for the same seed.</summary>
    public static Tensor SeededInput(Shape shape, int seed) => SeededTensors.Uniform(shape, seed);

    public static float[] SeededValues(int count, int seed) => SeededTensors.UniformValues(count, seed);

    /// <summary>A fresh directory under the temp folder, removed by the caller.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "sparsify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
