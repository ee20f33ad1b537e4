using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class ConvolutionKernelTests
{
    private static ConvGeometry Geometry(
        int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
        int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight, int group)
    {
        int outH = ((height + padTop + padBottom - (dilationH * (kernelH - 1)) - 1) / strideH) + 1;
        int outW = ((width + padLeft + padRight - (dilationW * (kernelW - 1)) - 1) / strideW) + 1;
        return new ConvGeometry(batch, inChannels, height, width, outChannels, outH, outW, kernelH, kernelW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, group);
    }

    /// <summary>Naive direct convolution in double.</summary>
    private static double[] Reference(in ConvGeometry g, float[] input, float[] weights, float[]? bias)
    {
        var output = new double[g.Batch * g.OutChannels * g.OutPixels];
        for (int b = 0; b < g.Batch; b++)
        {
            for (int oc = 0; oc < g.OutChannels; oc++)
            {
                int grp = oc / g.OutChannelsPerGroup;
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        double sum = bias is null ? 0 : bias[oc];
                        for (int icg = 0; icg < g.InChannelsPerGroup; icg++)
                        {
                            int ic = (grp * g.InChannelsPerGroup) + icg;
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                            {
                                int ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                                if (ih < 0 || ih >= g.InHeight)
                                {
                                    continue;
                                }

                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int iw = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                    if (iw < 0 || iw >= g.InWidth)
                                    {
                                        continue;
                                    }

                                    double x = input[(((b * g.InChannels) + ic) * g.InHeight * g.InWidth) + (ih * g.InWidth) + iw];
                                    double w = weights[(((oc * g.InChannelsPerGroup) + icg) * g.KernelHeight * g.KernelWidth) + (kh * g.KernelWidth) + kw];
                                    sum += x * w;
                                }
                            }
                        }

                        output[(((b * g.OutChannels) + oc) * g.OutPixels) + (oh * g.OutWidth) + ow] = sum;
                    }
                }
            }
        }

        return output;
    }

    private static float[] Run(in ConvGeometry g, float[] input, float[] weights, float[]? bias, int dop, ConvolutionPath path, SimdLevel level)
    {
        var output = new float[g.Batch * g.OutChannels * g.OutPixels];
        output.AsSpan().Fill(float.NaN); // must be overwritten
        ConvolutionKernel.Run(g, input, weights, bias ?? [], output, dop, path, level);
        return output;
    }

    private static void Check(in ConvGeometry g, bool withBias = true)
    {
        float[] input = SgemmTests.RandomArray(g.Batch * g.InChannels * g.InHeight * g.InWidth, 1);
        float[] weights = SgemmTests.RandomArray(g.OutChannels * g.FilterLength, 2);
        float[]? bias = withBias ? SgemmTests.RandomArray(g.OutChannels, 3) : null;
        double[] expected = Reference(g, input, weights, bias);
        foreach (ConvolutionPath path in new[] { ConvolutionPath.Gemm, ConvolutionPath.Direct, ConvolutionPath.Depthwise, ConvolutionPath.Auto })
        {
            foreach (SimdLevel level in SgemmTests.Levels())
            {
                float[] one = Run(g, input, weights, bias, 1, path, level);
                SgemmTests.AssertClose(expected, one, $"{g} {path} {level}");
                float[] two = Run(g, input, weights, bias, 2, path, level);
                CollectionAssert.AreEqual(one, two, $"1 vs 2 threads: {g} {path} {level}");

                // The layer with its weights packed at construction computes the same bits.
                var layer = new DenseConvolution(g, weights, bias ?? [], Activation.None, path, level);
                foreach (int dop in new[] { 1, 2 })
                {
                    float[] prepared = new float[one.Length];
                    prepared.AsSpan().Fill(float.NaN);
                    layer.Run(input, default, prepared, dop);
                    CollectionAssert.AreEqual(one, prepared, $"prepared layer, {dop} threads: {g} {path} {level}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1, 3, 9, 9, 4, 3, 3, 1, 1)]
    [DataRow(1, 8, 20, 23, 16, 3, 3, 1, 1)]
    [DataRow(1, 5, 18, 40, 7, 3, 3, 1, 1)]
    [DataRow(2, 4, 7, 7, 13, 3, 3, 1, 1)]
    [DataRow(1, 16, 5, 5, 9, 5, 5, 2, 2)]
    [DataRow(1, 2, 1, 1, 3, 1, 1, 0, 0)]
    [DataRow(1, 1, 3, 2, 1, 3, 2, 0, 0)]
    public void SquareAndOddShapes(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padLeft)
        => Check(Geometry(batch, inChannels, height, width, outChannels, kernelH, kernelW, 1, 1, 1, 1, padTop, padLeft, padTop, padLeft, 1));

    [TestMethod]
    public void PointwiseSkipsIm2Col()
    {
        Check(Geometry(1, 16, 14, 14, 24, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1));
        Check(Geometry(2, 7, 5, 9, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1), withBias: false);
    }

    [TestMethod]
    public void PointwiseWithStrideTwoDownsamples()
        => Check(Geometry(1, 8, 14, 14, 10, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1));

    [TestMethod]
    [DataRow(2, 2)]
    [DataRow(2, 1)]
    [DataRow(4, 4)]
    [DataRow(1, 3)]
    public void Strides(int strideH, int strideW)
    {
        Check(Geometry(1, 3, 23, 70, 5, 3, 3, strideH, strideW, 1, 1, 1, 1, 1, 1, 1));
        Check(Geometry(1, 2, 9, 11, 6, 3, 3, strideH, strideW, 1, 1, 0, 0, 0, 0, 1));
    }

    [TestMethod]
    public void ResNetStemSevenBySevenStrideTwoWithAsymmetricPads()
    {
        // As the CNTK ResNet18 export: pads top/left 3, bottom/right 2, 7x7 stride 2.
        Check(Geometry(1, 3, 40, 44, 8, 7, 7, 2, 2, 1, 1, 3, 3, 2, 2, 1));
    }

    [TestMethod]
    public void AsymmetricPadsStrideOne()
    {
        Check(Geometry(1, 4, 12, 21, 6, 3, 3, 1, 1, 1, 1, 2, 0, 0, 1, 1));
        Check(Geometry(1, 4, 12, 21, 6, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1));
    }

    [TestMethod]
    public void AlexNetConv1ElevenByElevenStrideFour()
        => Check(Geometry(1, 3, 47, 47, 8, 11, 11, 4, 4, 1, 1, 0, 0, 0, 0, 1));

    [TestMethod]
    [DataRow(2, 2)]
    [DataRow(2, 3)]
    public void Dilation(int dilationH, int dilationW)
        => Check(Geometry(1, 3, 21, 40, 5, 3, 3, 1, 1, dilationH, dilationW, 2, 2, 2, 2, 1));

    [TestMethod]
    [DataRow(2, 8, 12)]
    [DataRow(4, 8, 8)]
    [DataRow(3, 6, 9)]
    public void Groups(int group, int inChannels, int outChannels)
        => Check(Geometry(1, inChannels, 13, 19, outChannels, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, group));

    [TestMethod]
    public void DepthwiseGroupEqualsChannels()
    {
        Check(Geometry(1, 8, 17, 20, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8));
        Check(Geometry(2, 6, 15, 15, 12, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 6)); // channel multiplier 2
    }

    [TestMethod]
    [DataRow(7, 7, 3, 1, 1, 1)]    // MobileNet's last stage: rows shorter than a vector
    [DataRow(14, 14, 3, 2, 1, 1)]  // stride 2 from the phase planes
    [DataRow(56, 57, 3, 2, 1, 1)]  // odd width at stride 2
    [DataRow(9, 30, 5, 1, 1, 2)]   // 5x5 (EfficientNet), pad 2
    [DataRow(16, 19, 5, 2, 1, 2)]
    [DataRow(12, 12, 7, 1, 1, 3)]  // 7x7 (ConvNeXt)
    [DataRow(11, 25, 3, 3, 1, 1)]  // stride 3: the general phase fill
    [DataRow(13, 21, 3, 1, 2, 2)]  // dilation 2
    [DataRow(5, 3, 3, 1, 1, 0)]    // no padding, a 3x1 output
    public void DepthwiseKernelShapes(int height, int width, int kernel, int stride, int dilation, int pad)
    {
        Check(Geometry(1, 24, height, width, 24, kernel, kernel, stride, stride, dilation, dilation, pad, pad, pad, pad, 24));
        Check(Geometry(2, 5, height, width, 10, kernel, kernel, stride, stride, dilation, dilation, pad, pad, pad, pad, 5), withBias: false); // multiplier 2
    }

    [TestMethod]
    public void AutoTakesTheDepthwiseKernelForOneInputChannelPerGroup()
    {
        Assert.IsTrue(ConvolutionKernel.IsDepthwise(Geometry(1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8)));
        Assert.IsTrue(ConvolutionKernel.IsDepthwise(Geometry(1, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8)));
        Assert.IsFalse(ConvolutionKernel.IsDepthwise(Geometry(1, 16, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8)));
        Assert.IsFalse(ConvolutionKernel.IsDepthwise(Geometry(1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
    }

    [TestMethod]
    public void EveryPathAppliesTheResidualThenTheActivation()
    {
        var geometries = new[]
        {
            Geometry(1, 12, 11, 13, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 12), // depthwise
            Geometry(1, 6, 9, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),     // im2col GEMM
            Geometry(1, 16, 8, 8, 24, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1),    // pointwise GEMM
            Geometry(1, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4),      // direct (two per group)
        };
        Activation[] activations = [Activation.None, Activation.Relu, Activation.Clip(-0.5f, 0.75f), Activation.LeakyRelu(0.1f), Activation.HardSigmoid(1f / 6, 0.5f), Activation.Sigmoid, Activation.Tanh, Activation.HardSwish(1f / 6, 0.5f), Activation.Swish];
        foreach (var g in geometries)
        {
            float[] input = SgemmTests.RandomArray(g.Batch * g.InChannels * g.InHeight * g.InWidth, 11);
            float[] weights = SgemmTests.RandomArray(g.OutChannels * g.FilterLength, 12);
            float[] bias = SgemmTests.RandomArray(g.OutChannels, 13);
            float[] residual = SgemmTests.RandomArray(g.OutChannels * g.OutPixels, 14);
            double[] sums = Reference(g, input, weights, bias);
            foreach (var activation in activations)
            {
                var expected = sums.Select((v, i) => (double)activation.Apply((float)(v + residual[i]))).ToArray();
                foreach (ConvolutionPath path in new[] { ConvolutionPath.Auto, ConvolutionPath.Gemm, ConvolutionPath.Direct })
                {
                    var output = new float[expected.Length];
                    ConvolutionKernel.Run(g, input, weights, bias, residual, activation, output, 2, path, Sgemm.BestLevel);
                    SgemmTests.AssertClose(expected, output, $"{g} {path} {activation}");
                    var prepared = new float[expected.Length];
                    new DenseConvolution(g, weights, bias, activation, path, Sgemm.BestLevel).Run(input, residual, prepared, 2);
                    CollectionAssert.AreEqual(output, prepared, $"prepared layer: {g} {path} {activation}");
                }
            }
        }
    }

    [TestMethod]
    public void BatchTwoWithGroupsAndStride()
        => Check(Geometry(2, 4, 19, 36, 6, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 2));

    [TestMethod]
    public void WithoutBias()
        => Check(Geometry(1, 3, 10, 10, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), withBias: false);

    [TestMethod]
    public void LargerLayerIsDeterministicAcrossThreadCounts()
    {
        // Enough work that both the packing and the GEMM really run in parallel.
        ConvGeometry g = Geometry(1, 16, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] input = SgemmTests.RandomArray(g.InChannels * g.InHeight * g.InWidth, 5);
        float[] weights = SgemmTests.RandomArray(g.OutChannels * g.FilterLength, 6);
        float[] bias = SgemmTests.RandomArray(g.OutChannels, 7);
        float[] one = new float[g.OutChannels * g.OutPixels];
        float[] two = new float[one.Length];
        ConvolutionKernel.Run(g, input, weights, bias, one, 1);
        ConvolutionKernel.Run(g, input, weights, bias, two, 2);
        CollectionAssert.AreEqual(one, two);
        SgemmTests.AssertClose(Reference(g, input, weights, bias), one, "public overload");
    }

    [TestMethod]
    public void APreparedLayerSpansSeveralKBlocksAndCopiesItsWeights()
    {
        // k = 64·3·3 = 576: three packed k blocks; 20 output channels: a partial last micro-panel.
        ConvGeometry g = Geometry(1, 64, 9, 11, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] input = SgemmTests.RandomArray(g.InChannels * g.InHeight * g.InWidth, 8);
        float[] weights = SgemmTests.RandomArray(g.OutChannels * g.FilterLength, 9);
        float[] bias = SgemmTests.RandomArray(g.OutChannels, 10);
        foreach (SimdLevel level in SgemmTests.Levels())
        {
            float[] expected = Run(g, input, weights, bias, 1, ConvolutionPath.Gemm, level);
            float[] source = (float[])weights.Clone();
            var layer = new DenseConvolution(g, source, bias, Activation.None, ConvolutionPath.Auto, level);
            source.AsSpan().Clear();
            float[] actual = new float[expected.Length];
            layer.Run(input, default, actual, 2);
            CollectionAssert.AreEqual(expected, actual, $"{level}");
        }
    }

    [TestMethod]
    public void APreparedLayerRejectsBadGeometryWeightsAndBuffers()
    {
        ConvGeometry g = Geometry(1, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Assert.ThrowsExactly<ArgumentException>(() => new DenseConvolution(g, new float[53], [], Activation.None));
        Assert.ThrowsExactly<ArgumentException>(() => new DenseConvolution(g, new float[54], new float[2], Activation.None));
        Assert.ThrowsExactly<ArgumentException>(() => new DenseConvolution(g with { StrideH = 0 }, new float[54], [], Activation.None));
        var layer = new DenseConvolution(g, new float[54], [], Activation.None);
        Assert.ThrowsExactly<ArgumentException>(() => layer.Run(new float[31], default, new float[48], 1));
        Assert.ThrowsExactly<ArgumentException>(() => layer.Run(new float[32], default, new float[47], 1));
        Assert.ThrowsExactly<ArgumentException>(() => layer.Run(new float[32], new float[47], new float[48], 1));
    }

    [TestMethod]
    public void RejectsShortBuffers()
    {
        ConvGeometry g = Geometry(1, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] output = new float[3 * 16];
        Assert.ThrowsExactly<ArgumentException>(() => ConvolutionKernel.Run(g, new float[31], new float[54], [], output, 1));
        Assert.ThrowsExactly<ArgumentException>(() => ConvolutionKernel.Run(g, new float[32], new float[53], [], output, 1));
        Assert.ThrowsExactly<ArgumentException>(() => ConvolutionKernel.Run(g, new float[32], new float[54], new float[2], output, 1));
        Assert.ThrowsExactly<ArgumentException>(() => ConvolutionKernel.Run(g, new float[32], new float[54], [], new float[47], 1));
    }
}
