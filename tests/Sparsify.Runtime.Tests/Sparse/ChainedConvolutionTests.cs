using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>A convolution writing straight into the next one's input layout gives the same bits as the two run apart.</summary>
[TestClass]
public sealed class ChainedConvolutionTests
{
    public static IEnumerable<object[]> Pairs =>
    [
        ["3x3 then 3x3", SparseTestData.Geometry(8, 13, 11, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 3, 1, 1],
        ["stride 2 then 3x3", SparseTestData.Geometry(8, 29, 30, 16, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 3, 1, 1],
        ["3x3 then 5x5 with uneven pads", SparseTestData.Geometry(4, 9, 20, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 5, 2, 1],
        ["3x3 then 1x1 with a copied layout", SparseTestData.Geometry(8, 7, 9, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 1, 0, 0],
        ["7x7 output, one tile", SparseTestData.Geometry(16, 7, 7, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 32, 3, 1, 1],
    ];

    [TestMethod]
    [DynamicData(nameof(Pairs))]
    public void FeedingTheNextLayoutEqualsRunningApart(string name, ConvGeometry first, int secondOut, int kernel, int padTopLeft, int padBottomRight)
    {
        var second = SparseTestData.Geometry(first.OutChannels, first.OutHeight, first.OutWidth, secondOut, kernel, kernel,
            padTop: padTopLeft, padLeft: padTopLeft, padBottom: padBottomRight, padRight: padBottomRight);
        var random = new Random(name.Length * 13);
        var a = SparseConvolutions.FromGroups(first, SparseTestData.Groups(first.OutChannels, first.FilterLength, 8, 0.6, random), SparseTestData.RandomValues(first.OutChannels, random));
        var b = SparseConvolutions.FromGroups(second, SparseTestData.Groups(second.OutChannels, second.FilterLength, 8, 0.6, random), SparseTestData.RandomValues(second.OutChannels, random));
        Assert.IsTrue(a.CanFeed(b));
        var input = SparseTestData.RandomValues(first.InChannels * first.InHeight * first.InWidth, random);
        var residualA = SparseTestData.RandomValues(first.OutChannels * first.OutPixels, random);
        var residualB = SparseTestData.RandomValues(second.OutChannels * second.OutPixels, random);

        var between = new float[residualA.Length];
        var expected = new float[residualB.Length];
        a.Run(input, residualA, relu: true, between, threads: 1);
        b.Run(between, residualB, relu: true, expected, threads: 1);

        foreach (var threads in new[] { 1, 2, 3 })
        {
            var actual = new float[expected.Length];
            a.RunInto(input, residualA, relu: true, b, threads);
            b.RunOnFedLayout(residualB, relu: true, actual, threads);
            CollectionAssert.AreEqual(expected, actual, $"{threads} threads");
        }
    }

    [TestMethod]
    public void TheFedLayoutIsReadOnce()
    {
        var g = SparseTestData.Geometry(8, 6, 6, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var random = new Random(3);
        var a = SparseConvolutions.FromGroups(g, SparseTestData.Groups(8, g.FilterLength, 8, 0.5, random), default);
        var b = SparseConvolutions.FromGroups(g, SparseTestData.Groups(8, g.FilterLength, 8, 0.5, random), default);
        var input = SparseTestData.RandomValues(8 * 36, random);
        var output = new float[8 * 36];
        Assert.ThrowsExactly<InvalidOperationException>(() => b.RunOnFedLayout(default, false, output, 1));
        a.RunInto(input, default, false, b, 1);
        b.RunOnFedLayout(default, false, output, 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => b.RunOnFedLayout(default, false, output, 1));

        // A plain run fills the layout itself and also ends a feed.
        a.RunInto(input, default, false, b, 1);
        b.Run(input, default, false, output, 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => b.RunOnFedLayout(default, false, output, 1));
    }

    [TestMethod]
    public void OnlyAStrideOneCopiedLayoutOfTheRightShapeCanBeFed()
    {
        var random = new Random(9);
        SparseConvolutionDriver Driver(ConvGeometry g) => SparseConvolutions.FromGroups(g, SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.5, random), default);
        var a = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        var strideTwo = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        var identity = Driver(SparseTestData.Geometry(8, 16, 16, 8, 1, 1));
        var otherShape = Driver(SparseTestData.Geometry(8, 15, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        Assert.IsFalse(a.CanFeed(strideTwo));
        Assert.IsFalse(a.CanFeed(identity));
        Assert.IsFalse(a.CanFeed(otherShape));
        Assert.IsFalse(a.CanFeed(a));
        Assert.ThrowsExactly<ArgumentException>(() => a.RunInto(new float[8 * 256], default, false, strideTwo, 1));
    }
}
