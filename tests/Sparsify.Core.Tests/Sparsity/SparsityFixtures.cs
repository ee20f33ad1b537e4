using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>Seeded layers and the checks several scheme tests share.</summary>
internal static class SparsityFixtures
{
    /// <summary>A convolution's weight matrix [outChannels, inChannels / group × k × k] with seeded weights.</summary>
    public static WeightMatrix Conv(int outChannels, int inChannels, int kernel, int group = 1, int seed = 1)
    {
        var shape = new Shape(outChannels, inChannels / group, kernel, kernel);
        var weights = new Tensor(shape, TestData.SeededValues(shape.ElementCount, seed));
        return WeightMatrix.Of(new ConvLayer("conv", "x", "y", weights, null, Window2D.Create(kernel, 1, Padding2D.None), group));
    }

    /// <summary>A fully connected layer's weight matrix [outFeatures, inFeatures] with seeded weights.</summary>
    public static WeightMatrix Fc(int outFeatures, int inFeatures, int seed = 1)
    {
        var weights = new Tensor(new Shape(outFeatures, inFeatures), TestData.SeededValues(outFeatures * inFeatures, seed));
        return WeightMatrix.Of(new FullyConnectedLayer("fc", "x", "y", weights, null));
    }

    /// <summary>The weight matrix of one layer of a model.</summary>
    public static WeightMatrix Layer(ModelGraph graph, string name) => WeightMatrix.Of(graph.Layers.Single(l => l.Name == name));

    /// <summary>Kept weights in each row.</summary>
    public static int[] RowCounts(SparsityMask mask) => Enumerable.Range(0, mask.Rows).Select(mask.RowNonZeros).ToArray();

    /// <summary>The columns row <paramref name="row"/> keeps.</summary>
    public static int[] KeptColumns(SparsityMask mask, int row) => Enumerable.Range(0, mask.Columns).Where(c => mask.IsKept(row, c)).ToArray();

    /// <summary>The expected kept count: round((1 - s) × n), halves up, at least one.</summary>
    public static long KeepCount(long n, double sparsity) => Math.Max(Math.Min(1, n), (long)Math.Round((1 - sparsity) * n, MidpointRounding.AwayFromZero));

    /// <summary>Checks that the report agrees with the mask it describes.</summary>
    public static void AssertReportMatches(LayerPruning pruning)
    {
        var report = pruning.Report;
        Assert.AreEqual(pruning.Mask.NonZeros, report.NonZeros);
        Assert.AreEqual(pruning.Mask.Sparsity, report.Sparsity, 1e-12);
        Assert.AreEqual(pruning.Mask.NonZeros, report.PartitionNonZeros.Sum());
        Assert.AreEqual(report.Partitions, report.PartitionNonZeros.Count);
        Assert.IsGreaterThanOrEqualTo(1.0, report.LoadImbalance);
        Assert.IsGreaterThanOrEqualTo(1, report.Passes);
    }
}
