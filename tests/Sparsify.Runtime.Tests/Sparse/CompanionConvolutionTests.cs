using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>A convolution reading another's input layout, run in that one's fork, gives the same bits as the two run apart.</summary>
[TestClass]
public sealed class CompanionConvolutionTests
{
    public static IEnumerable<object[]> Pairs =>
    [
        ["ResNet downsampling, even size", Host(16, 28, 28, 16, 3, 2, 1), Guest(16, 28, 28, 32, 1, 2, 0)],
        ["ResNet downsampling, odd sizes", Host(8, 29, 30, 16, 3, 2, 1), Guest(8, 29, 30, 8, 1, 2, 0)],
        ["ResNet downsampling to 7x7, one tile", Host(16, 14, 14, 32, 3, 2, 1), Guest(16, 14, 14, 64, 1, 2, 0)],
        ["3x3 and 1x1 at stride 1", Host(8, 13, 11, 16, 3, 1, 1), Guest(8, 13, 11, 8, 1, 1, 0)],
        ["5x5 and 3x3 at stride 1", Host(8, 9, 20, 8, 5, 1, 2), Guest(8, 9, 20, 16, 3, 1, 1)],
    ];

    [TestMethod]
    [DynamicData(nameof(Pairs))]
    public void RunningTogetherEqualsRunningApart(string name, ConvGeometry host, ConvGeometry guest)
    {
        var random = new Random(name.Length * 7);
        var hostWeights = SparseTestData.Groups(host.OutChannels, host.FilterLength, 8, 0.6, random);
        var guestWeights = SparseTestData.Groups(guest.OutChannels, guest.FilterLength, 8, 0.6, random);
        var hostBias = SparseTestData.RandomValues(host.OutChannels, random);
        var guestBias = SparseTestData.RandomValues(guest.OutChannels, random);
        var a = SparseConvolutions.FromGroups(host, hostWeights, hostBias);
        var alone = SparseConvolutions.FromGroups(guest, guestWeights, guestBias);
        var companion = SparseConvolutions.FromGroups(guest, guestWeights, guestBias, host);
        Assert.IsTrue(a.CanRunWith(companion));
        Assert.IsFalse(a.CanRunWith(alone));

        var input = SparseTestData.RandomValues(host.InChannels * host.InHeight * host.InWidth, random);
        var residual = SparseTestData.RandomValues(host.OutChannels * host.OutPixels, random);
        var expected = new float[residual.Length];
        var expectedGuest = new float[guest.OutChannels * guest.OutPixels];
        a.Run(input, residual, activation: true, expected, threads: 1);
        alone.Run(input, default, activation: false, expectedGuest, threads: 1);
        SparseTestData.AssertClose(SparseTestData.NaiveConvolution(guest, input, guestWeights.Decode(), guestBias, null, relu: false), expectedGuest);

        var hosted = new float[expectedGuest.Length];
        companion.Run(input, default, activation: false, hosted, threads: 2);
        CollectionAssert.AreEqual(expectedGuest, hosted, "the guest on the host's layout, run alone");

        foreach (var threads in new[] { 1, 2, 3 })
        {
            var actual = new float[expected.Length];
            var actualGuest = new float[expectedGuest.Length];
            new SparseConvolutionStep(a, threads, activation: true, companion: companion, companionActivation: false).Run(input, residual, actual, actualGuest);
            CollectionAssert.AreEqual(expected, actual, $"host, {threads} threads");
            CollectionAssert.AreEqual(expectedGuest, actualGuest, $"companion, {threads} threads");

            var relu = new float[expectedGuest.Length];
            new SparseConvolutionStep(a, threads, activation: true, companion: companion, companionActivation: true).Run(input, residual, actual, relu);
            CollectionAssert.AreEqual(expectedGuest.Select(v => Math.Max(v, 0f)).ToArray(), relu, $"companion with ReLU, {threads} threads");
        }
    }

    [TestMethod]
    public void ACompanionRunsBesideAFeedingConvolution()
    {
        var host = Host(16, 28, 28, 16, 3, 2, 1);
        var guest = Guest(16, 28, 28, 32, 1, 2, 0);
        var next = SparseTestData.Geometry(16, 14, 14, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var random = new Random(5);
        var a = SparseConvolutions.FromGroups(host, SparseTestData.Groups(16, host.FilterLength, 8, 0.7, random), SparseTestData.RandomValues(16, random));
        var b = SparseConvolutions.FromGroups(next, SparseTestData.Groups(16, next.FilterLength, 8, 0.7, random), default);
        var guestWeights = SparseTestData.Groups(32, guest.FilterLength, 8, 0.7, random);
        var companion = SparseConvolutions.FromGroups(guest, guestWeights, default, host);
        var input = SparseTestData.RandomValues(16 * 28 * 28, random);

        var between = new float[16 * 14 * 14];
        var expected = new float[between.Length];
        var expectedGuest = new float[32 * 14 * 14];
        a.Run(input, default, activation: true, between, 1);
        b.Run(between, default, activation: false, expected, 1);
        SparseConvolutions.FromGroups(guest, guestWeights, default).Run(input, default, false, expectedGuest, 1);

        foreach (var threads in new[] { 1, 2 })
        {
            var actual = new float[expected.Length];
            var actualGuest = new float[expectedGuest.Length];
            new SparseConvolutionStep(a, threads, activation: true, feeds: b, companion: companion, companionActivation: false).Run(input: input, companionOutput: actualGuest);
            new SparseConvolutionStep(b, threads, activation: false, inputFed: true).Run(output: actual);
            CollectionAssert.AreEqual(expected, actual, $"fed convolution, {threads} threads");
            CollectionAssert.AreEqual(expectedGuest, actualGuest, $"companion, {threads} threads");
        }
    }

    [TestMethod]
    public void OnlyTapsAtTheHostsTapsOfTheSameGridCanBeHosted()
    {
        var layout = ConvInputLayout.For(Host(8, 28, 28, 8, 3, 2, 1));
        Assert.IsTrue(layout.CanHost(Guest(8, 28, 28, 16, 1, 2, 0)));
        Assert.IsTrue(layout.CanHost(Host(8, 28, 28, 4, 3, 2, 1)));
        Assert.IsFalse(layout.CanHost(Guest(8, 28, 28, 16, 1, 1, 0)), "another stride");
        Assert.IsFalse(layout.CanHost(Guest(4, 28, 28, 16, 1, 2, 0)), "other input channels");
        Assert.IsFalse(layout.CanHost(Host(8, 28, 28, 8, 5, 2, 2)), "a wider window");
        Assert.IsFalse(layout.CanHost(SparseTestData.Geometry(8, 28, 28, 8, 3, 3, strideH: 2, strideW: 2, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2)), "a dilated window");
        Assert.IsFalse(layout.CanHost(Guest(8, 28, 28, 16, 1, 2, 0) with { Group = 2 }), "conv groups");

        // The 1x1 tap is the 3x3 window's centre: padded row and column 1 of phase plane (1, 1).
        Assert.AreEqual(layout.Offset(5, 1, 1), layout.Offset(Guest(8, 28, 28, 16, 1, 2, 0), 5, 0, 0));
        Assert.ThrowsExactly<ArgumentException>(() => layout.Offset(Guest(8, 28, 28, 16, 1, 1, 0), 0, 0, 0));
    }

    [TestMethod]
    public void ACompanionOfAnotherLayoutOrOverlappingOutputsIsRefused()
    {
        var host = Host(8, 14, 14, 8, 3, 2, 1);
        var guest = Guest(8, 14, 14, 8, 1, 2, 0);
        var random = new Random(2);
        var weights = SparseTestData.Groups(8, guest.FilterLength, 8, 0.5, random);
        var a = SparseConvolutions.FromGroups(host, SparseTestData.Groups(8, host.FilterLength, 8, 0.5, random), default);
        var companion = SparseConvolutions.FromGroups(guest, weights, default, host);
        var stranger = SparseConvolutions.FromGroups(guest, weights, default);
        var input = new float[8 * 14 * 14];
        var output = new float[8 * 7 * 7];
        var guestOutput = new float[8 * 7 * 7];
        Assert.IsFalse(a.CanRunWith(stranger));
        Assert.IsFalse(a.CanRunWith(a));
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionStep(a, 1, activation: false, companion: stranger));
        var step = new SparseConvolutionStep(a, 1, activation: false, companion: companion);
        Assert.ThrowsExactly<ArgumentException>(() => step.Run(input, default, output, output));
        Assert.ThrowsExactly<ArgumentException>(() => step.Run(input, default, output, input.AsSpan(0, guestOutput.Length)));
        Assert.ThrowsExactly<ArgumentException>(() => step.Run(input, default, output, new float[10]));
        Assert.ThrowsExactly<ArgumentException>(() => step.Run(input, default, output), "a step with a companion needs its output");
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionStep(a, 1, activation: false).Run(input, default, output, guestOutput), "a step without one takes none");
        step.Run(input, default, output, guestOutput);
        Assert.ThrowsExactly<ArgumentException>(() => SparseConvolutions.FromGroups(Guest(8, 14, 14, 8, 1, 1, 0), SparseTestData.Groups(8, 8, 8, 0.5, random), default, host));
    }

    private static ConvGeometry Host(int inChannels, int height, int width, int outChannels, int kernel, int stride, int pad)
        => SparseTestData.Geometry(inChannels, height, width, outChannels, kernel, kernel, strideH: stride, strideW: stride, padTop: pad, padLeft: pad, padBottom: pad, padRight: pad);

    private static ConvGeometry Guest(int inChannels, int height, int width, int outChannels, int kernel, int stride, int pad) => Host(inChannels, height, width, outChannels, kernel, stride, pad);
}
