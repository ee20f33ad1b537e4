using Sparsify.Runtime.Kernels;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;
using LayerExecution = Sparsify.Runtime.Manifests.LayerExecution;

namespace Sparsify.Generators.Tests;

/// <summary>The graphs and compile settings the tests share.</summary>
internal static class TestModels
{
    /// <summary>Most nonzeros a forced-unrolled layer may have, so test compilations stay quick.</summary>
    private const int UnrollLimit = 15_000;

    /// <summary>
    /// conv1 → ReLU → max pool → a ResNet block → a downsampling ResNet block → flatten → gemm: exercises
    /// Conv→ReLU and Conv→Add→ReLU fusion, a convolution writing the next one's input layout, and a 1×1
    /// stride-2 shortcut run beside the 3×3 stride-2 convolution on its layout; conv1 dense, the gemm
    /// table-driven, the sparse convolutions table-driven and unrolled.
    /// </summary>
    public static ModelGraph Residual(int seed = 7, Func<string, string>? rename = null)
    {
        var random = new Random(seed);
        var N = rename ?? (name => name);
        Tensor Random(params int[] dims)
        {
            var shape = new Shape(dims);
            var data = new float[shape.ElementCount];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (random.NextSingle() * 2) - 1;
            }

            return new Tensor(shape, data);
        }

        var pad1 = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer(N("conv1"), N("input"), N("conv1"), Random(4, 1, 3, 3), Random(4), pad1, 1),
            new ReluLayer(N("relu1"), N("conv1"), N("relu1")),
            new PoolLayer(N("pool1"), N("relu1"), N("pool1"), PoolKind.Max, Window2D.Create(2, 2, Padding2D.None)),

            // A ResNet block: its first convolution writes the second's input layout, the second adds the block's input.
            new ConvLayer(N("conv2a"), N("pool1"), N("conv2a"), Random(4, 4, 3, 3), Random(4), pad1, 1),
            new ReluLayer(N("relu2a"), N("conv2a"), N("relu2a")),
            new ConvLayer(N("conv2"), N("relu2a"), N("conv2"), Random(4, 4, 3, 3), Random(4), pad1, 1),
            new AddLayer(N("add"), N("conv2"), N("pool1"), N("add")),
            new ReluLayer(N("relu2"), N("add"), N("relu2")),

            // A block that halves the resolution: the 1x1 stride-2 shortcut (listed first, as in ResNet18's ONNX) runs in conv3a's call.
            new ConvLayer(N("conv3s"), N("relu2"), N("conv3s"), Random(8, 4, 1, 1), Random(8), Window2D.Create(1, 2, Padding2D.None), 1),
            new ConvLayer(N("conv3a"), N("relu2"), N("conv3a"), Random(8, 4, 3, 3), Random(8), Window2D.Create(3, 2, Padding2D.Uniform(1)), 1),
            new ReluLayer(N("relu3a"), N("conv3a"), N("relu3a")),
            new ConvLayer(N("conv3"), N("relu3a"), N("conv3"), Random(8, 8, 3, 3), Random(8), pad1, 1),
            new AddLayer(N("add3"), N("conv3"), N("conv3s"), N("add3")),
            new ReluLayer(N("relu3"), N("add3"), N("relu3")),
            ReshapeLayer.Flatten(N("flatten"), N("relu3"), N("flat")),
            new FullyConnectedLayer(N("fc"), N("flat"), N("fc"), Random(10, 32), Random(10)),
        ];
        return ModelGraph.Create(N("Residual"), [new GraphValue(N("input"), new Shape(1, 1, 8, 8))], layers, [N("fc")]);
    }

    public static CompiledModel CompileResidual(ModelGraph graph, Func<string, string>? rename = null)
    {
        var N = rename ?? (name => name);
        return ModelCompiler.Compile(graph, new CompileOptions
        {
            Scheme = "locality",
            Sparsity = 0.5,
            Settings = SchemeSettings.Default with { GroupSize = 2 },
            PlanOverrides = new Dictionary<string, LayerExecution>
            {
                [N("conv1")] = LayerExecution.Dense,
                [N("conv2a")] = LayerExecution.SparseTable,
                [N("conv2")] = LayerExecution.SparseUnrolled,
                [N("conv3s")] = LayerExecution.SparseUnrolled,
                [N("conv3a")] = LayerExecution.SparseTable,
                [N("conv3")] = LayerExecution.SparseTable,
                [N("fc")] = LayerExecution.SparseTable,
            },
            ClassName = "ResidualNet",
        });
    }

    /// <summary>
    /// <paramref name="text"/> with its digest line recomputed: what the compiler does when it rewrites a
    /// manifest, and what someone crafting one would do.
    /// </summary>
    public static string Resign(string text)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        var body = string.Join('\n', lines[..^1]) + "\n";
        return body + "manifest-sha256 " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))) + "\n";
    }

    /// <summary>AlexNet's structure (strided 11x11 conv, LRN, grouped convs, overlapping pools, softmax) at a size tests compile quickly.</summary>
    public static ModelGraph SmallAlexNet(int seed = 3) =>
        new GraphBuilder("SmallAlexNet", new Shape(1, 3, 63, 63), seed)
            .Conv("conv1", 16, 11, stride: 4).Relu().Lrn("norm1").MaxPool("pool1", 3, 2)
            .Conv("conv2", 32, 5, pad: 2, group: 2).Relu().Lrn("norm2").MaxPool("pool2", 3, 2)
            .Conv("conv3", 48, 3, pad: 1).Relu()
            .Conv("conv4", 48, 3, pad: 1, group: 2).Relu()
            .Conv("conv5", 32, 3, pad: 1, group: 2).Relu().MaxPool("pool5", 3, 2, pad: 1)
            .FullyConnected("fc6", 64).Relu()
            .FullyConnected("fc7", 10).Softmax("prob")
            .Build();

    /// <summary>A first conv (kept dense) and a gemm wide enough that one row group's unrolled code spans several methods.</summary>
    public static ModelGraph Wide(int seed = 5) =>
        new GraphBuilder("Wide", new Shape(1, 64, 6, 6), seed)
            .Conv("conv1", 16, 3, pad: 1).Relu()
            .FullyConnected("fc1", 8)
            .Build();

    public static ModelGraph Build(string model) => model switch
    {
        "lenet5" => ModelBuilders.LeNet5(),
        "smallalexnet" => SmallAlexNet(),
        "wide" => Wide(),
        _ => throw new ArgumentException(model, nameof(model)),
    };

    /// <summary>
    /// Compiles <paramref name="graph"/> (pruning it in place). A forced plan applies to every weighted
    /// layer, except that unrolling is forced only where the layer stays within <see cref="UnrollLimit"/> nonzeros.
    /// </summary>
    public static CompiledModel Compile(ModelGraph graph, double sparsity, string scheme, LayerExecution? forced)
    {
        var overrides = new Dictionary<string, LayerExecution>();
        if (forced is { } plan)
        {
            foreach (var layer in graph.Layers)
            {
                var weights = layer switch
                {
                    ConvLayer c => c.Weights.Length,
                    FullyConnectedLayer f => f.Weights.Length,
                    _ => 0,
                };
                var kept = layer.Name == "conv1" ? weights : weights * (1 - sparsity);
                if (weights > 0 && (plan != LayerExecution.SparseUnrolled || kept <= UnrollLimit))
                {
                    overrides[layer.Name] = plan;
                }
            }
        }

        return ModelCompiler.Compile(graph, new CompileOptions
        {
            Scheme = scheme,
            Sparsity = sparsity,
            PlanOverrides = overrides,
            Planner = PlannerOptions.Default with { UnrollBudget = UnrollLimit },
        });
    }
}
