using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Runtime.Blob;

namespace Sparsify.Hardware.Tests;

/// <summary>Compiled test networks: Core compiles, the hardware model imports the manifest and blob.</summary>
internal static class TestModels
{
    /// <summary>An AlexNet in miniature: grouped convolutions, LRN, max pools, fully connected layers, Softmax.</summary>
    public static ModelGraph AlexNetSmall(int seed = 3) =>
        new GraphBuilder("AlexNetSmall", new Shape(1, 3, 39, 39), seed)
            .Conv("conv1", 16, 5, stride: 2).Relu().Lrn("norm1").MaxPool("pool1", 3, 2)
            .Conv("conv2", 32, 3, pad: 1, group: 2).Relu().Lrn("norm2").MaxPool("pool2", 3, 2)
            .Conv("conv3", 48, 3, pad: 1).Relu()
            .Conv("conv4", 32, 3, pad: 1, group: 2).Relu()
            .FullyConnected("fc6", 64).Relu()
            .FullyConnected("fc7", 10).Softmax("prob")
            .Build();

    public static ArrayNetwork Import(CompiledModel compiled) => ManifestImporter.Import(compiled.Manifest, new WeightBlobReader(compiled.Blob));

    /// <summary>A tensor of values uniform in [-1, 1).</summary>
    public static Tensor Uniform(Random random, params int[] shape)
    {
        var tensor = new Tensor(new Shape(shape));
        for (var i = 0; i < tensor.Data.Length; i++)
        {
            tensor.Data[i] = (random.NextSingle() * 2f) - 1f;
        }

        return tensor;
    }

    public static float[] Input(ModelGraph graph, int seed) =>
        SeededTensors.UniformValues(graph.Inputs[0].Shape.Aggregate(1, (a, d) => a * d), seed);

    public static double RelativeError(float[] actual, float[] expected)
    {
        Assert.HasCount(expected.Length, actual);
        double worst = 0, scale = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        return worst / Math.Max(scale, 1e-30);
    }
}
