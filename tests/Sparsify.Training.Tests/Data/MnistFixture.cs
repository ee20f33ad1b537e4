using System.Reflection;
using Sparsify.Training.Data;

namespace Sparsify.Training.Tests.Data;

/// <summary>
/// MNIST as the test build fetched it (build/Mnist.targets passes the cache folder in the
/// <c>MnistPath</c> assembly attribute), read once per test run.
/// </summary>
internal static class MnistFixture
{
    private static readonly Lazy<MnistSplit> Split = new(() => MnistDataset.Load(Directory));

    public static string Directory =>
        typeof(MnistFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "MnistPath")?.Value
        ?? MnistDataset.DefaultDirectory;

    public static ImageDataset Train => Split.Value.Train;

    public static ImageDataset Test => Split.Value.Test;
}
