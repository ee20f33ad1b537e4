using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>A convolution writing straight into the next one's input layout gives the same bits as the two run apart.</summary>
[TestClass]
public sealed class ChainedConvolutionTests
{
    public static IEnumerable<object[]> Pairs =>
    [
        ["3x3 then 3x3", SparseTestData.Geometry(8, 13, 11, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 3, 1, 1, 1],
        ["stride 2 then 3x3", SparseTestData.Geometry(8, 29, 30, 16, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 3, 1, 1, 1],
        ["3x3 then 5x5 with uneven pads", SparseTestData.Geometry(4, 9, 20, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 5, 2, 1, 1],
        ["3x3 then 1x1 with a copied layout", SparseTestData.Geometry(8, 7, 9, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 1, 0, 0, 1],
        ["7x7 output, one tile", SparseTestData.Geometry(16, 7, 7, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 32, 3, 1, 1, 1],
        ["3x3 then 3x3 at stride 2", SparseTestData.Geometry(8, 28, 28, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 3, 1, 1, 2],
        ["odd sizes into stride 2", SparseTestData.Geometry(8, 29, 31, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 16, 3, 1, 1, 2],
        ["14x14 into stride 2, short rows", SparseTestData.Geometry(16, 14, 14, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 32, 3, 1, 1, 2],
        ["into a 1x1 stride-2 layout", SparseTestData.Geometry(8, 12, 13, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 1, 0, 0, 2],
        ["into a 5x5 stride-2 layout, uneven pads", SparseTestData.Geometry(4, 17, 22, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8, 5, 2, 1, 2],
    ];

    [TestMethod]
    [DynamicData(nameof(Pairs))]
    public void FeedingTheNextLayoutEqualsRunningApart(string name, ConvGeometry first, int secondOut, int kernel, int padTopLeft, int padBottomRight, int stride)
    {
        var second = SparseTestData.Geometry(first.OutChannels, first.OutHeight, first.OutWidth, secondOut, kernel, kernel, strideH: stride, strideW: stride,
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
        a.Run(input, residualA, activation: true, between, threads: 1);
        b.Run(between, residualB, activation: true, expected, threads: 1);

        foreach (var threads in new[] { 1, 2, 3 })
        {
            var actual = new float[expected.Length];
            new SparseConvolutionStep(a, threads, activation: true, feeds: b).Run(input: input, residual: residualA);
            new SparseConvolutionStep(b, threads, activation: true, inputFed: true).Run(residual: residualB, output: actual);
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
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionStep(b, 1, activation: false, inputFed: true), "no step feeds b yet");
        var feeding = new SparseConvolutionStep(a, 1, activation: false, feeds: b);
        var fed = new SparseConvolutionStep(b, 1, activation: false, inputFed: true);
        Assert.ThrowsExactly<InvalidOperationException>(() => fed.Run(output: output));
        feeding.Run(input: input);
        fed.Run(output: output);
        Assert.ThrowsExactly<InvalidOperationException>(() => fed.Run(output: output));

        // A plain run fills the layout itself and also ends a feed.
        feeding.Run(input: input);
        b.Run(input, default, false, output, 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => fed.Run(output: output));
    }

    [TestMethod]
    public void OnlyAStrideOneCopiedLayoutOfTheRightShapeCanBeFed()
    {
        var random = new Random(9);
        SparseConvolutionDriver Driver(ConvGeometry g) => SparseConvolutions.FromGroups(g, SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.5, random), default);
        var a = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        var strideThree = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, strideH: 3, strideW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        var dilated = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2));
        var identity = Driver(SparseTestData.Geometry(8, 16, 16, 8, 1, 1));
        var otherShape = Driver(SparseTestData.Geometry(8, 15, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        var host = SparseTestData.Geometry(8, 16, 16, 8, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var guest = SparseTestData.Geometry(8, 16, 16, 8, 1, 1, strideH: 2, strideW: 2);
        var companion = SparseConvolutions.FromGroups(guest, SparseTestData.Groups(8, 8, 8, 0.5, random), default, host);
        Assert.IsTrue(a.CanFeed(Driver(host)));
        Assert.IsFalse(a.CanFeed(strideThree));
        Assert.IsFalse(a.CanFeed(dilated));
        Assert.IsFalse(a.CanFeed(identity));
        Assert.IsFalse(a.CanFeed(otherShape));
        Assert.IsFalse(a.CanFeed(a));
        Assert.IsFalse(a.CanFeed(companion), "a companion reads its host's layout, which only the host's feeder writes");
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionStep(a, 1, activation: false, feeds: strideThree));

        // One feeder per layout: a second would overwrite the first one's results before they are read.
        var fedOnce = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        _ = new SparseConvolutionStep(a, 1, activation: false, feeds: fedOnce);
        _ = new SparseConvolutionStep(a, 2, activation: true, feeds: fedOnce);
        var secondFeeder = Driver(SparseTestData.Geometry(8, 16, 16, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1));
        Assert.IsTrue(secondFeeder.CanFeed(fedOnce));
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionStep(secondFeeder, 1, activation: false, feeds: fedOnce));
    }

    [TestMethod]
    public void AChainOfFedLayoutsWithACompanionEqualsRunningApart()
    {
        // A ResNet block's second convolution feeds the next block's stride-2 convolution, whose layout also
        // serves its 1x1 shortcut; that convolution feeds its block's second one.
        var random = new Random(11);
        var first = SparseTestData.Geometry(16, 20, 20, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var host = SparseTestData.Geometry(16, 20, 20, 32, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var guest = SparseTestData.Geometry(16, 20, 20, 32, 1, 1, strideH: 2, strideW: 2);
        var last = SparseTestData.Geometry(32, 10, 10, 32, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        SparseConvolutionDriver Driver(ConvGeometry g) => SparseConvolutions.FromGroups(g, SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.6, random), SparseTestData.RandomValues(g.OutChannels, random));
        var a = Driver(first);
        var b = Driver(first);
        var c = Driver(host);
        var d = Driver(last);
        var shortcutWeights = SparseTestData.Groups(32, 16, 8, 0.6, random);
        var shortcut = SparseConvolutions.FromGroups(guest, shortcutWeights, default);
        var companion = SparseConvolutions.FromGroups(guest, shortcutWeights, default, host);
        var input = SparseTestData.RandomValues(16 * 400, random);
        var residual = SparseTestData.RandomValues(16 * 400, random);

        var t1 = new float[16 * 400];
        var t2 = new float[16 * 400];
        var t3 = new float[32 * 100];
        var expectedShortcut = new float[32 * 100];
        var expected = new float[32 * 100];
        a.Run(input, default, true, t1, 1);
        b.Run(t1, residual, true, t2, 1);
        c.Run(t2, default, true, t3, 1);
        shortcut.Run(t2, default, false, expectedShortcut, 1);
        d.Run(t3, expectedShortcut, true, expected, 1);

        foreach (var threads in new[] { 1, 2, 3 })
        {
            var actualShortcut = new float[expectedShortcut.Length];
            var actual = new float[expected.Length];
            var stepA = new SparseConvolutionStep(a, threads, activation: true, feeds: b);
            var stepB = new SparseConvolutionStep(b, threads, activation: true, inputFed: true, feeds: c);
            var stepC = new SparseConvolutionStep(c, threads, activation: true, inputFed: true, feeds: d, companion: companion, companionActivation: false);
            var stepD = new SparseConvolutionStep(d, threads, activation: true, inputFed: true);
            stepA.Run(input: input);
            stepB.Run(residual: residual);
            stepC.Run(companionOutput: actualShortcut);
            stepD.Run(residual: actualShortcut, output: actual);
            CollectionAssert.AreEqual(expectedShortcut, actualShortcut, $"shortcut, {threads} threads");
            CollectionAssert.AreEqual(expected, actual, $"{threads} threads");

            // The fed host writing a tensor, its companion beside it.
            var tensor = new float[t3.Length];
            stepA.Run(input: input);
            stepB.Run(residual: residual);
            new SparseConvolutionStep(c, threads, activation: true, inputFed: true, companion: companion, companionActivation: false).Run(output: tensor, companionOutput: actualShortcut);
            CollectionAssert.AreEqual(t3, tensor, $"fed host, {threads} threads");
            CollectionAssert.AreEqual(expectedShortcut, actualShortcut, $"fed host's shortcut, {threads} threads");
        }

        Assert.ThrowsExactly<InvalidOperationException>(() => new SparseConvolutionStep(c, 1, activation: true, inputFed: true, feeds: d).Run());
    }
}
