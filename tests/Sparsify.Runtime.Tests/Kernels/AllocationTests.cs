using System.Runtime;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Tests.Sparse;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>
/// Every kernel a generated model calls allocates nothing once warm: a model call must not feed the
/// garbage collector. Counted on the calling thread, which is where jobs, loops and closures would be made.
/// </summary>
[TestClass]
public sealed class AllocationTests
{
    private const int Calls = 5;

    public static IEnumerable<object[]> Threads => [[1], [2]];

    [TestMethod]
    [DynamicData(nameof(Threads))]
    public void DenseConvolutionsAllocateNothing(int threads)
    {
        var random = new Random(3);
        foreach (var g in new[]
        {
            SparseTestData.Geometry(16, 32, 32, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
            SparseTestData.Geometry(3, 40, 40, 16, 7, 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3),
            SparseTestData.Geometry(32, 24, 24, 32, 1, 1),
            SparseTestData.Geometry(32, 24, 24, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, group: 32),
        })
        {
            var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
            var weights = SparseTestData.RandomValues(g.OutChannels * g.FilterLength, random);
            var bias = SparseTestData.RandomValues(g.OutChannels, random);
            var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
            var output = new float[residual.Length];
            AssertAllocatesNothing($"{g}", () => Convolution.Dense(g, input, weights, bias, residual, activation: true, output, threads));
            var layer = new DenseConvolution(g, weights, bias, Activation.Relu);
            AssertAllocatesNothing($"prepared {g}", () => layer.Run(input, residual, output, threads));
        }
    }

    [TestMethod]
    [DynamicData(nameof(Threads))]
    public void SparseLayersAllocateNothing(int threads)
    {
        var random = new Random(5);
        var g = SparseTestData.Geometry(16, 20, 20, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var driver = SparseConvolutions.FromGroups(g, SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.8, random), default);
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var output = new float[g.OutChannels * g.OutPixels];
        AssertAllocatesNothing("sparse convolution", () => driver.Run(input, default, activation: true, output, threads));

        var fc = SparseFullyConnected.FromGroups(256, 64, SparseTestData.Groups(64, 256, 8, 0.8, random), default);
        var features = SparseTestData.RandomValues(256, random);
        var scores = new float[64];
        AssertAllocatesNothing("sparse fully connected", () => fc.Run(features, relu: false, scores, threads));
    }

    [TestMethod]
    [DynamicData(nameof(Threads))]
    public void OtherLayersAllocateNothing(int threads)
    {
        var random = new Random(7);
        var planes = SparseTestData.RandomValues(16 * 30 * 30, random);
        var pooled = new float[16 * 15 * 15];
        var max = new PoolGeometry(1, 16, 30, 30, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
        AssertAllocatesNothing("max pooling", () => Pooling.Max(max, planes, pooled, threads));
        AssertAllocatesNothing("average pooling", () => Pooling.Average(max, countIncludePad: false, planes, pooled, threads));
        AssertAllocatesNothing("global average pooling", () => Pooling.GlobalAverage(1, 16, 900, planes, pooled));
        var same = new float[planes.Length];
        AssertAllocatesNothing("LRN", () => Normalization.Lrn(1, 16, 900, 5, 1e-4f, 0.75f, 2f, planes, same, threads));

        var weights = SparseTestData.RandomValues(512 * 900, random);
        var scores = new float[8 * 512];
        AssertAllocatesNothing("dense fully connected", () => FullyConnected.Dense(1, 900, 512, planes, weights, default, relu: true, scores, threads));
        AssertAllocatesNothing("dense fully connected, batch 8", () => FullyConnected.Dense(8, 900, 512, planes, weights, default, relu: true, scores, threads));

        var softmax = new float[4000];
        AssertAllocatesNothing("softmax over 10", () => Elementwise.Softmax(planes.AsSpan(0, 1000), 100, 10, 1, softmax));
        AssertAllocatesNothing("softmax over 4000", () => Elementwise.Softmax(planes.AsSpan(0, 4000), 1, 4000, 1, softmax));
        AssertAllocatesNothing("add", () => Elementwise.Add(planes, planes, relu: true, same));
    }

    /// <summary>Warms <paramref name="call"/> up, then checks that <see cref="Calls"/> more allocate no byte on this thread.</summary>
    private static void AssertAllocatesNothing(string what, Action call)
    {
        // A background GC can advance the counter on a thread that allocates nothing (see the project file).
        Assert.AreEqual(GCLatencyMode.Batch, GCSettings.LatencyMode, "the allocation counts need a GC that never collects in the background");
        for (var i = 0; i < 3; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(0L, allocated, $"{what}: {allocated} bytes allocated over {Calls} calls");
    }
}
