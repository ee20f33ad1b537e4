using Sparsify.Runtime.Kernels;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using LayerExecution = Sparsify.Runtime.Manifests.LayerExecution;

namespace Sparsify.Fuzz.Tests;

/// <summary>
/// Seed inputs: small models covering every operator the importer maps and every plan the generator emits,
/// kept small so a fuzz iteration costs microseconds.
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<ModelGraph[]> Graphs = new(() => [Chain(), Residual()]);

    /// <summary>
    /// The seed models as ONNX files, and five from torch's own exporter whose shape arithmetic,
    /// If nodes, decomposed LocalResponseNorm, slices, channel shuffles, pre-activation norms and channels-last segments reach
    /// constant folding, the patterns and the per-channel steps.
    /// </summary>
    public static readonly Lazy<byte[][]> OnnxModels = new(() =>
        [.. Graphs.Value.Select(OnnxModel.ToBytes), .. TorchSeeds.Select(name => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TorchFixtures", name)))]);

    private static readonly string[] TorchSeeds = ["lrn.opset13.onnx", "shape-reshape.opset11.onnx", "channel-shuffle.opset11.onnx", "pre-activation.opset13.onnx", "layer-norm-gelu.opset11.onnx"];

    /// <summary>The seed models compiled at every plan, as manifest text.</summary>
    public static readonly Lazy<string[]> Manifests = new(() =>
        [.. new LayerExecution?[] { null, LayerExecution.Dense, LayerExecution.SparseTable, LayerExecution.SparseUnrolled }
            .SelectMany(plan => new[] { Chain(), Residual() }.Select(graph => Compile(graph, plan)))]);

    /// <summary>Conv, ReLU, max pool, grouped conv, LRN, flatten, gemm, softmax.</summary>
    private static ModelGraph Chain() =>
        new GraphBuilder("chain", new Shape(1, 2, 12, 12), seed: 1)
            .Conv("conv1", 4, 3, pad: 1).Relu().MaxPool("pool1", 2, 2)
            .Conv("conv2", 4, 3, pad: 1, group: 2).Relu().Lrn("norm2")
            .FullyConnected("fc", 5).Softmax("prob")
            .Build();

    /// <summary>A residual block with a strided shortcut, average and global pooling, concat.</summary>
    private static ModelGraph Residual()
    {
        var random = new Random(2);
        Tensor Random(params int[] dims)
        {
            var shape = new Shape(dims);
            return new Tensor(shape, Enumerable.Range(0, shape.ElementCount).Select(_ => (random.NextSingle() * 2) - 1).ToArray());
        }

        var same = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer("conv1", "input", "conv1", Random(4, 2, 3, 3), Random(4), same, 1),
            new ReluLayer("relu1", "conv1", "relu1"),
            new ConvLayer("conv2", "relu1", "conv2", Random(4, 4, 3, 3), Random(4), same, 1),
            new AddLayer("add", "conv2", "relu1", "add"),
            new ReluLayer("relu2", "add", "relu2"),
            new ConvLayer("down", "relu2", "down", Random(4, 4, 1, 1), null, Window2D.Create(1, 2, Padding2D.None), 1),
            new PoolLayer("avg", "relu2", "avg", PoolKind.Average, Window2D.Create(2, 2, Padding2D.None)),
            new ConcatLayer("cat", ["down", "avg"], "cat", 1),
            new GlobalAveragePoolLayer("gap", "cat", "gap"),
            ReshapeLayer.Flatten("flat", "gap", "flat"),
            new FullyConnectedLayer("fc", "flat", "fc", Random(3, 8), Random(3)),
        ];
        return ModelGraph.Create("residual", [new GraphValue("input", new Shape(1, 2, 8, 8))], layers, ["fc"]);
    }

    private static string Compile(ModelGraph graph, LayerExecution? plan) => ModelCompiler.Compile(graph, new CompileOptions
    {
        Scheme = "locality",
        Sparsity = 0.5,
        Settings = Core.Sparsity.SchemeSettings.Default with { GroupSize = 2 },
        PlanOverrides = plan is { } p
            ? graph.Layers.Where(l => l is ConvLayer or FullyConnectedLayer && l.Name != "conv1").ToDictionary(l => l.Name, _ => p)
            : new Dictionary<string, LayerExecution>(),
    }).ManifestText;
}
