using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

[TestClass]
public sealed class SparseFullyConnectedTests
{
    [TestMethod]
    [DataRow(300, 512, 8, 0.9)]
    [DataRow(20, 37, 8, 0.5)]
    [DataRow(36, 100, 4, 0.7)]
    [DataRow(10, 64, 3, 0.6)]
    public void GroupFormatMatchesNaive(int outFeatures, int inFeatures, int groupSize, double sparsity)
    {
        var random = new Random(outFeatures + inFeatures);
        var weights = SparseTestData.Groups(outFeatures, inFeatures, groupSize, sparsity, random);
        var input = SparseTestData.RandomValues(inFeatures, random);
        var bias = SparseTestData.RandomValues(outFeatures, random);
        var layer = SparseFullyConnected.FromGroups(inFeatures, outFeatures, weights, bias);
        foreach (var relu in new[] { false, true })
        {
            var output = new float[outFeatures];
            layer.Run(input, relu, output, threads: 2);
            SparseTestData.AssertClose(SparseTestData.NaiveFullyConnected(weights.Decode(), outFeatures, inFeatures, input, bias, relu), output);
        }
    }

    [TestMethod]
    public void CsrMatchesNaive()
    {
        var random = new Random(21);
        const int Out = 75, In = 130;
        var dense = SparseTestData.SparseDense(Out, In, 0.8, random);
        var input = SparseTestData.RandomValues(In, random);
        var output = new float[Out];
        SparseFullyConnected.FromCsr(In, Out, SparseTestData.Csr(dense, Out, In), default).Run(input, relu: false, output, threads: 1);
        SparseTestData.AssertClose(SparseTestData.NaiveFullyConnected(dense, Out, In, input, [], relu: false), output);
    }

    [TestMethod]
    public void ThreadCountsGiveIdenticalBits()
    {
        var random = new Random(4);
        const int Out = 1000, In = 512;
        var weights = SparseTestData.Groups(Out, In, 8, 0.9, random);
        var input = SparseTestData.RandomValues(In, random);
        var layer = SparseFullyConnected.FromGroups(In, Out, weights, SparseTestData.RandomValues(Out, random));
        var one = new float[Out];
        layer.Run(input, relu: true, one, threads: 1);
        foreach (var threads in new[] { 2, 3 })
        {
            var many = new float[Out];
            layer.Run(input, relu: true, many, threads);
            CollectionAssert.AreEqual(one, many, $"{threads} threads");
        }
    }

    [TestMethod]
    public void ShapesAndSpansAreChecked()
    {
        var weights = SparseTestData.Groups(16, 32, 8, 0.5, new Random(2));
        Assert.ThrowsExactly<ArgumentException>(() => SparseFullyConnected.FromGroups(31, 16, weights, default));
        Assert.ThrowsExactly<ArgumentException>(() => SparseFullyConnected.FromGroups(32, 16, weights, new float[3]));
        var layer = SparseFullyConnected.FromGroups(32, 16, weights, default);
        Assert.ThrowsExactly<ArgumentException>(() => layer.Run(new float[31], false, new float[16], 1));
        Assert.ThrowsExactly<ArgumentException>(() => layer.Run(new float[32], false, new float[15], 1));
    }
}
