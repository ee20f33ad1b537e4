using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Training.Tests;

/// <summary>Every layer's backward pass against central finite differences, on small odd shapes.</summary>
[TestClass]
public sealed class LayerGradientTests
{
    [TestMethod]
    public void ConvolutionWithGroupsStrideDilationAndAsymmetricPads()
    {
        // 4 input channels in 2 groups, 6 filters of 2x3 (dilated 2x1), stride 2x1, pads top 1 left 0 bottom 2 right 1.
        var window = new Window2D(2, 3, 2, 1, 2, 1, new Padding2D(1, 0, 2, 1));
        var conv = new ConvLayer("conv", "x", "y", Seeded(new Shape(6, 2, 2, 3), 1), Seeded(new Shape(6), 2), window, group: 2);
        GradientCheck.Run(Graph(new Shape(1, 4, 7, 6), conv), batch: 3);

        // And strided, dilated along the width (the other im2col path).
        var wide = new Window2D(3, 2, 1, 2, 1, 2, new Padding2D(0, 2, 1, 0));
        var strided = new ConvLayer("conv", "x", "y", Seeded(new Shape(4, 2, 3, 2), 9), Seeded(new Shape(4), 10), wide, group: 1);
        GradientCheck.Run(Graph(new Shape(1, 2, 6, 9), strided), batch: 2);
    }

    [TestMethod]
    public void ConvolutionLikeLeNetWithoutBias()
    {
        var conv = new ConvLayer("conv", "x", "y", Seeded(new Shape(5, 3, 5, 5), 3), null, Window2D.Create(5, 1, Padding2D.None), group: 1);
        GradientCheck.Run(Graph(new Shape(1, 3, 9, 8), conv), batch: 2);
    }

    [TestMethod]
    public void FullyConnected()
    {
        var fc = new FullyConnectedLayer("fc", "x", "y", Seeded(new Shape(5, 7), 4), Seeded(new Shape(5), 5));
        GradientCheck.Run(Graph(new Shape(1, 7), fc), batch: 4);
    }

    [TestMethod]
    public void MaxPoolingInsideAndWithPadding()
    {
        // Distinct values 0.05 apart: no perturbation of ±0.01 changes which input wins a window.
        var inside = new PoolLayer("pool", "x", "y", PoolKind.Max, Window2D.Create(2, 2, Padding2D.None));
        GradientCheck.Run(Graph(new Shape(1, 3, 6, 8), inside), batch: 2, input: Spaced(2 * 3 * 6 * 8, 11));

        var padded = new PoolLayer("pool", "x", "y", PoolKind.Max, Window2D.Create(3, 2, Padding2D.Uniform(1)), ceilMode: true);
        GradientCheck.Run(Graph(new Shape(1, 2, 7, 6), padded), batch: 2, input: Spaced(2 * 2 * 7 * 6, 12));
    }

    [TestMethod]
    public void AveragePoolingEveryDivisorRule()
    {
        GradientCheck.Run(Graph(new Shape(1, 2, 6, 6), new PoolLayer("pool", "x", "y", PoolKind.Average, Window2D.Create(2, 2, Padding2D.None))), batch: 2);
        GradientCheck.Run(Graph(new Shape(1, 2, 7, 6), new PoolLayer("pool", "x", "y", PoolKind.Average, Window2D.Create(3, 2, Padding2D.Uniform(1)), ceilMode: true)), batch: 2);
        GradientCheck.Run(Graph(new Shape(1, 2, 7, 6), new PoolLayer("pool", "x", "y", PoolKind.Average, Window2D.Create(3, 2, Padding2D.Uniform(1)), ceilMode: true, countIncludePad: true)), batch: 2);
    }

    [TestMethod]
    public void LocalResponseNormalisationOddAndEvenSizes()
    {
        // A large alpha makes the normalisation matter; an even size makes the window asymmetric.
        GradientCheck.Run(Graph(new Shape(1, 7, 3, 4), new LrnLayer("lrn", "x", "y", 5, alpha: 0.8f, beta: 0.75f, bias: 1.5f)), batch: 2, epsilon: 2e-3);
        GradientCheck.Run(Graph(new Shape(1, 6, 2, 3), new LrnLayer("lrn", "x", "y", 4, alpha: 0.6f, beta: 0.6f, bias: 2f)), batch: 2, epsilon: 2e-3);
    }

    [TestMethod]
    public void Relu()
    {
        // Inputs at least 0.1 from the kink.
        var random = new Random(13);
        var input = Enumerable.Range(0, 2 * 30).Select(_ => (float)((random.Next(2) * 2 - 1) * (0.1 + random.NextDouble()))).ToArray();
        GradientCheck.Run(Graph(new Shape(1, 30), new ReluLayer("relu", "x", "y")), batch: 2, input: input);
    }

    [TestMethod]
    public void GlobalAveragePool()
    {
        GradientCheck.Run(Graph(new Shape(1, 3, 4, 5), new GlobalAveragePoolLayer("gap", "x", "y")), batch: 2);
    }

    [TestMethod]
    public void ResidualAddSumsTheGradientOfAValueReadTwice()
    {
        // y = x + conv(x): the input gradient is the sum of both paths.
        var conv = new ConvLayer("conv", "x", "c", Seeded(new Shape(3, 3, 3, 3), 6), Seeded(new Shape(3), 7), Window2D.Create(3, 1, Padding2D.Uniform(1)), group: 1);
        var add = new AddLayer("add", "x", "c", "y");
        var flatten = ReshapeLayer.Flatten("flatten", "y", "logits");
        var graph = ModelGraph.Create("residual", [new GraphValue("x", new Shape(1, 3, 5, 4))], [conv, add, flatten], ["logits"]);
        GradientCheck.Run(graph, batch: 2);
    }

    [TestMethod]
    public void ReshapeToAnotherRank()
    {
        var reshape = ReshapeLayer.Reshape("reshape", "x", "r", [0, 2, -1]);
        var flatten = ReshapeLayer.Flatten("flatten", "r", "logits");
        var fc = new FullyConnectedLayer("fc", "logits", "y", Seeded(new Shape(4, 12), 8), null);
        var graph = ModelGraph.Create("reshape", [new GraphValue("x", new Shape(1, 3, 4))], [reshape, flatten, fc], ["y"]);
        GradientCheck.Run(graph, batch: 2);
    }

    [TestMethod]
    public void ASmallNetworkEndToEnd()
    {
        var graph = new Sparsify.Training.Models.GraphBuilder("small", new Shape(1, 2, 10, 10), 21)
            .Conv("conv1", 4, 3, pad: 1).Relu().Lrn("norm1", size: 3, alpha: 0.5f)
            .MaxPool("pool1", 2, 2)
            .Conv("conv2", 6, 3, group: 2).Relu()
            .FullyConnected("fc1", 8).Relu()
            .FullyConnected("fc2", 5)
            .Build();

        // Piecewise-linear layers need a small step; with random inputs no kink is within 1e-3 here.
        GradientCheck.Run(graph, batch: 2, epsilon: 1e-3, tolerance: 3e-3);
    }

    /// <summary>input → layer (→ Flatten when the output is not 2-D), the layer's output as logits.</summary>
    internal static ModelGraph Graph(Shape inputShape, Layer layer)
    {
        var outputShape = layer.InferOutputShape([inputShape]);
        if (outputShape.Rank == 2)
        {
            return ModelGraph.Create("check", [new GraphValue("x", inputShape)], [layer], [layer.Output]);
        }

        var flatten = ReshapeLayer.Flatten("flatten", layer.Output, "logits");
        return ModelGraph.Create("check", [new GraphValue("x", inputShape)], [layer, flatten], ["logits"]);
    }

    internal static Tensor Seeded(Shape shape, int seed) => new(shape, TestData.SeededValues(shape.ElementCount, seed).Select(v => v * 0.5f).ToArray());

    /// <summary>A shuffled arithmetic sequence: all values distinct, 0.05 apart, centred on zero.</summary>
    private static float[] Spaced(int count, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, count).Select(i => (i - (count / 2)) * 0.05f).ToArray();
        random.Shuffle(values);
        return values;
    }
}
