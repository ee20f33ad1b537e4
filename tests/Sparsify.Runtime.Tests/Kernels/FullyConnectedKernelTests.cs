using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class FullyConnectedKernelTests
{
    private static double[] Reference(int batch, int inFeatures, int outFeatures, float[] input, float[] weights, float[]? bias)
    {
        var output = new double[batch * outFeatures];
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < outFeatures; j++)
            {
                double sum = bias is null ? 0 : bias[j];
                for (int p = 0; p < inFeatures; p++)
                {
                    sum += (double)input[(i * inFeatures) + p] * weights[(j * inFeatures) + p];
                }

                output[(i * outFeatures) + j] = sum;
            }
        }

        return output;
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(1, 2500, 70)]
    [DataRow(1, 17, 1000)]
    [DataRow(2, 33, 10)]
    [DataRow(3, 100, 7)]
    [DataRow(4, 257, 65)]
    [DataRow(5, 7, 3)]
    [DataRow(17, 120, 84)]
    [DataRow(64, 50, 10)]
    [DataRow(4, 9000, 5)]
    public void MatchesReferenceOnBothPaths(int batch, int inFeatures, int outFeatures)
    {
        float[] input = SgemmTests.RandomArray(batch * inFeatures, 1);
        float[] weights = SgemmTests.RandomArray(outFeatures * inFeatures, 2);
        float[] bias = SgemmTests.RandomArray(outFeatures, 3);
        foreach (bool withBias in new[] { true, false })
        {
            float[]? b = withBias ? bias : null;
            double[] expected = Reference(batch, inFeatures, outFeatures, input, weights, b);
            foreach (bool useGemm in new[] { false, true })
            {
                foreach (SimdLevel level in SgemmTests.Levels())
                {
                    float[] one = new float[batch * outFeatures];
                    float[] two = new float[one.Length];
                    FullyConnectedKernel.Run(batch, inFeatures, outFeatures, input, weights, b ?? [], one, 1, useGemm, level);
                    FullyConnectedKernel.Run(batch, inFeatures, outFeatures, input, weights, b ?? [], two, 2, useGemm, level);
                    string what = $"batch={batch} in={inFeatures} out={outFeatures} bias={withBias} gemm={useGemm} {level}";
                    SgemmTests.AssertClose(expected, one, what);
                    CollectionAssert.AreEqual(one, two, what);
                }
            }
        }
    }

    [TestMethod]
    public void PublicOverloadAndDefaultPath()
    {
        foreach (int batch in new[] { 1, 8 })
        {
            float[] input = SgemmTests.RandomArray(batch * 300, 4);
            float[] weights = SgemmTests.RandomArray(200 * 300, 5);
            float[] bias = SgemmTests.RandomArray(200, 6);
            float[] output = new float[batch * 200];
            FullyConnectedKernel.Run(batch, 300, 200, input, weights, bias, output, 0);
            SgemmTests.AssertClose(Reference(batch, 300, 200, input, weights, bias), output, $"batch {batch}");
        }
    }

    [TestMethod]
    public void ZeroInputFeaturesGivesBias()
    {
        float[] output = new float[6];
        FullyConnectedKernel.Run(2, 0, 3, [], [], [1f, 2f, 3f], output, 1);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 1f, 2f, 3f }, output);
        FullyConnectedKernel.Run(2, 0, 3, [], [], [1f, 2f, 3f], output, 1, useGemm: true, Sgemm.BestLevel);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 1f, 2f, 3f }, output);
    }

    [TestMethod]
    public void RejectsShortBuffers()
    {
        Assert.ThrowsExactly<ArgumentException>(() => FullyConnectedKernel.Run(2, 3, 4, new float[5], new float[12], [], new float[8], 1));
        Assert.ThrowsExactly<ArgumentException>(() => FullyConnectedKernel.Run(2, 3, 4, new float[6], new float[11], [], new float[8], 1));
        Assert.ThrowsExactly<ArgumentException>(() => FullyConnectedKernel.Run(2, 3, 4, new float[6], new float[12], new float[3], new float[8], 1));
        Assert.ThrowsExactly<ArgumentException>(() => FullyConnectedKernel.Run(2, 3, 4, new float[6], new float[12], [], new float[7], 1));
    }
}
