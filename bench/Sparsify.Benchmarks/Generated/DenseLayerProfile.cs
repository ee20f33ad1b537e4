using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// The dense convolutions of a model, each alone, against ONNX Runtime running the same convolution as a
/// one-node model: where the dense path trails and by how much. Each distinct geometry once (its count
/// given), bias included, no activation on either side, 2 threads each unless told; best of 15 rounds of 20 calls, the
/// engines taking their rounds in turn with a pause between them so that neither's spinning workers take
/// a core from the other. Not a BenchmarkDotNet run.
/// </summary>
/// <remarks><c>dotnet run -c Release --project bench/Sparsify.Benchmarks -- --dense-layers ResNet18 [threads]</c> (or a path to an ONNX model)</remarks>
public static class DenseLayerProfile
{
    public static void Run(string model, int threads = 2)
    {
        var graph = model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? OnnxModel.Load(model) : GeneratedModelBenchmarks.Load(model);
        var convolutions = graph.Layers.OfType<ConvLayer>()
            .Select(conv => (Conv: conv, Geometry: conv.Geometry(graph.ShapeOf(conv.Inputs[0]), graph.ShapeOf(conv.Output))))
            .GroupBy(c => c.Geometry)
            .ToList();
        var peak = LayerProfile.PeakGflops();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{graph.Name}: {convolutions.Count} distinct dense convolutions, {threads} threads each; FMA peak {peak:F1} GFLOP/s"));
        Console.WriteLine($"{"layer",-28} {"shape",-30} {"n",3} {"Sparsify us",12} {"ORT us",9} {"ratio",6} {"GFLOP/s",8} {"ORT GFLOP/s",12}");
        double ours = 0, theirs = 0;
        var random = new Random(7);
        foreach (var group in convolutions)
        {
            var (conv, g) = group.First();
            var inputShape = graph.ShapeOf(conv.Inputs[0]);
            var x = Enumerable.Range(0, inputShape.ElementCount).Select(_ => random.NextSingle()).ToArray();
            var y = new float[g.OutChannels * g.OutPixels];
            var bias = conv.Bias?.Data ?? new float[g.OutChannels];
            var weights = conv.Weights.Data;
            using var session = new InferenceSession(OnnxModel.ToBytes(OneLayer(graph, conv)), new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 });
            using var ortInput = OrtValue.CreateTensorValueFromMemory(x, inputShape.Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            string[] inputNames = [session.InputNames[0]], outputNames = [session.OutputNames[0]];
            void Ort()
            {
                using var outputs = session.Run(options, inputNames, [ortInput], outputNames);
            }

            var layer = new DenseConvolution(g, weights, bias, Activation.None);
            void Sparsify() => layer.Run(x, default, y, threads);
            var best = LayerProfile.RoundRobinBest([Sparsify, Ort], pauseMilliseconds: 100);
            var gflop = 2.0 * g.Macs / 1e9;
            ours += best[0] * group.Count();
            theirs += best[1] * group.Count();
            var shape = $"{g.InChannels}->{g.OutChannels} k{g.KernelHeight} s{g.StrideH} g{g.Group} {g.OutHeight}x{g.OutWidth}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Truncate(conv.Name, 28),-28} {shape,-30} {group.Count(),3} {best[0] * 1e6,12:F1} {best[1] * 1e6,9:F1} {best[1] / best[0],5:F2}x {gflop / best[0],8:F1} {gflop / best[1],12:F1}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all convolutions (each geometry times its count): Sparsify {ours * 1e3:F2} ms, ORT {theirs * 1e3:F2} ms: {theirs / ours:F2}x"));
    }

    // The convolution alone, reading a graph input of its input's shape.
    private static ModelGraph OneLayer(ModelGraph graph, ConvLayer conv)
    {
        var alone = new ConvLayer("conv", "x", "y", conv.Weights, conv.Bias, conv.Window, conv.Group);
        return ModelGraph.Create("conv", [new GraphValue("x", graph.ShapeOf(conv.Inputs[0]))], [alone], ["y"]);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
